// The dashboard's charts: score histograms per check (fail share per bucket) and photos over time.
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { fillGaps, getIngestOverTime, getScoreHistograms } from '../../../lib/queries/dashboard.ts';
import { useTestDatabase } from '../../helpers/db.ts';

useTestDatabase();

beforeAll(async () => {
  await db().account.create({ data: { nsid: '9@N09' } });
  await db().photo.createMany({
    data: Array.from({ length: 30 }, (_, i) => ({
      id: String(9000 + i),
      ownerNsid: '9@N09',
      secret: 's',
      server: '1',
      license: 9,
      dateUpload: new Date(Date.UTC(2021, i % 3, 5)),
      ingestedAt: new Date(Date.UTC(2024, 4, 1 + (i % 2))),
    })),
  });
  await db().checkResult.createMany({
    data: Array.from({ length: 30 }, (_, i) => ({
      photoId: String(9000 + i),
      check: 'watermark',
      verdict: i >= 25 ? ('fail' as const) : ('pass' as const),
      score: i / 29,
      version: 'v',
    })),
  });
});

describe('dashboard charts', () => {
  it('bins each check’s scores between its min and max, with the fail verdicts of each bin', async () => {
    const [h] = await getScoreHistograms();
    expect(h).toMatchObject({ check: 'watermark', min: 0, max: 1, sampled: false });
    expect(h.buckets).toHaveLength(20);
    expect(h.buckets.reduce((n, b) => n + b.count, 0)).toBe(30);
    expect(h.buckets.reduce((n, b) => n + b.fail, 0)).toBe(5);
    expect(h.buckets[19].fail).toBeGreaterThan(0);
    expect(h.buckets[0].fail).toBe(0);
  });

  it('counts photos by upload month and by ingest day', async () => {
    const t = await getIngestOverTime();
    expect(t.uploaded.points).toEqual([
      { period: '2021-01', count: 10 },
      { period: '2021-02', count: 10 },
      { period: '2021-03', count: 10 },
    ]);
    expect(t.ingested.points).toEqual([
      { period: '2024-05-01', count: 15 },
      { period: '2024-05-02', count: 15 },
    ]);
  });

  it('fills empty periods with zero so gaps show on a time axis', () => {
    expect(
      fillGaps(
        [
          { period: '2021-11', count: 2 },
          { period: '2022-02', count: 1 },
        ],
        'month',
      ).map((p) => `${p.period}:${p.count}`),
    ).toEqual(['2021-11:2', '2021-12:0', '2022-01:0', '2022-02:1']);
    expect(
      fillGaps(
        [
          { period: '2024-02-28', count: 1 },
          { period: '2024-03-01', count: 3 },
        ],
        'day',
      ).map((p) => p.count),
    ).toEqual([1, 0, 3]);
  });
});
