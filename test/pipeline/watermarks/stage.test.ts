// The watermark stage over a real database and image store: results, flags, the PNG, resumption.
import { createHash } from 'node:crypto';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { refreshFlagScores } from '../../../lib/queries/flagScores.ts';
import { getAccountWatermark, listWatermarkPhotos } from '../../../lib/queries/watermarks.ts';
import { writeImage } from '../../../pipeline/fetch/imageStore.ts';
import { DEFAULT_CONFIG } from '../../../pipeline/watermarks/config.ts';
import { runWatermarkBatch, type WatermarkProgress } from '../../../pipeline/watermarks/stage.ts';
import { watermarkImagePath } from '../../../pipeline/watermarks/store.ts';
import {
  generateAccount,
  type AccountPlan,
  type SyntheticAccount,
} from '../../../pipeline/devkit/watermarks/syntheticAccounts.ts';
import { useTestDatabase } from '../../helpers/db.ts';

useTestDatabase();
let dataDir: string;
const config = () => ({ ...DEFAULT_CONFIG, dataDir });
const accounts: Record<string, SyntheticAccount> = {};
let photoSerial = 1;

async function seed(
  nsid: string,
  plan: AccountPlan,
  extra: { missingThumb?: boolean; flagScore?: number } = {},
): Promise<SyntheticAccount> {
  const account = await generateAccount(nsid, { size: 384, portraitShare: 0, ...plan });
  await db().account.create({
    data: { nsid, username: nsid.split('@')[0], flagScore: extra.flagScore ?? 0 },
  });
  await addPhotos(
    nsid,
    account.photos.map((p) => ({ thumb: p.thumb, width: p.width, height: p.height })),
  );
  if (extra.missingThumb) {
    await db().photo.create({ data: photoRow(nsid, 'f'.repeat(64), 384, 256) });
  }
  accounts[nsid] = account;
  return account;
}

function photoRow(nsid: string, contentHash: string, width: number, height: number) {
  const id = String(100000 + photoSerial++);
  return {
    id,
    ownerNsid: nsid,
    secret: 's',
    server: '65535',
    license: 9,
    dateUpload: new Date(Date.UTC(2021, 0, 1, 0, photoSerial)),
    availability: 'available' as const,
    fetchedAt: new Date(),
    contentHash,
    imageWidth: width,
    imageHeight: height,
  };
}

async function addPhotos(
  nsid: string,
  photos: { thumb: Buffer; width: number; height: number }[],
): Promise<void> {
  const rows = [];
  for (const p of photos) {
    const hash = createHash('sha256').update(p.thumb).digest('hex');
    await writeImage('thumbs', hash, p.thumb, dataDir);
    const row = photoRow(nsid, hash, p.width, p.height);
    rows.push(row);
  }
  await db().photo.createMany({ data: rows });
}

beforeAll(async () => {
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'quarry-wm-'));
  await seed(
    'marked@N01',
    {
      watermark: true,
      border: false,
      photos: 14,
      carryRate: 1,
      watermarkSpec: {
        kind: 'text',
        text: '© Jane Doe',
        color: '#ffffff',
        opacity: 0.5,
        corner: 'bottom-right',
        size: 0.3,
        margin: 0.03,
      },
    },
    { missingThumb: true },
  );
  await seed('clean@N02', { watermark: false, border: false, photos: 10 }, { flagScore: 0.42 });
  await seed('border@N03', {
    watermark: false,
    border: true,
    photos: 10,
    borderSpec: { kind: 'border', width: 0.05, color: '#000000' },
  });
  await seed('small@N04', { watermark: false, border: false, photos: 5 });
});
afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

async function photoResults(nsid: string, check: string) {
  return db().checkResult.findMany({
    where: { check, photo: { ownerNsid: nsid } },
    orderBy: { photoId: 'asc' },
  });
}

// Every account in one batch, as the watermarks run stage sends them (runs/stages/watermarks.ts).
const ALL = ['marked@N01', 'clean@N02', 'border@N03', 'small@N04'];

describe('runWatermarkBatch', () => {
  const events: WatermarkProgress[] = [];
  let first: Awaited<ReturnType<typeof runWatermarkBatch>>;
  beforeAll(async () => {
    first = await runWatermarkBatch(ALL, {
      config: config(),
      runId: 'run-1',
      onProgress: (p) => events.push(p),
    });
  });

  it('checks every account with enough fetched photos, with progress', () => {
    expect(first).toEqual({ done: 3, failed: 0, skipped: 1, flagged: 1 });
    expect(events.at(-1)).toMatchObject({ done: 3, total: 3, flagged: 1 });
  });

  it('fails the watermarked account, flags it for review and stores its evidence and image', async () => {
    const result = await getAccountWatermark('marked@N01');
    expect(result?.verdict).toBe('fail');
    const details = result?.details as {
      box: { x: number; y: number; w: number; h: number };
      imageKey: string;
      photosWith: number;
      photosChecked: number;
      photosFailed: number;
    };
    expect(details.box.x + details.box.w).toBeGreaterThan(0.85);
    expect(details.box.y + details.box.h).toBeGreaterThan(0.85);
    expect(details.photosWith).toBe(14);
    expect(details.photosChecked).toBe(14);
    expect(details.photosFailed).toBe(1);
    const png = await readFile(watermarkImagePath(details.imageKey, dataDir));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
    // The run refreshes flag scores after each batch; called directly, the stage leaves that to us.
    await refreshFlagScores();
    const account = await db().account.findUniqueOrThrow({ where: { nsid: 'marked@N01' } });
    expect(account.watermarkVerdict).toBe('fail');
    expect(account.watermarkScore).toBeGreaterThanOrEqual(DEFAULT_CONFIG.fail);
    // 14 of its 15 checked photos carry the watermark (the 15th could not be read): a reviewer rejects 14/15.
    expect(account.flagScore).toBe(0.9333);
    expect((account.watermarkSummary as { photosWith: number }).photosWith).toBe(14);
  });

  it('records per photo which photos carry it, and a missing thumbnail as an error', async () => {
    const results = await photoResults('marked@N01', 'watermark');
    expect(results.filter((r) => r.verdict === 'fail')).toHaveLength(14);
    const errors = results.filter((r) => r.verdict === 'error');
    expect(errors).toHaveLength(1);
    expect(JSON.stringify(errors[0].details)).toMatch(/no such file|missing|ENOENT|Input file/i);
    expect(results.every((r) => r.runId === 'run-1')).toBe(true);
    const page = await listWatermarkPhotos('marked@N01', { carries: true, page: 1, pageSize: 5 });
    expect(page.total).toBe(14);
    expect(page.data).toHaveLength(5);
    expect(page.data[0].score!).toBeGreaterThanOrEqual(page.data[4].score!);
  });

  it('passes the clean account without touching its flag score or writing photo results', async () => {
    const account = await db().account.findUniqueOrThrow({ where: { nsid: 'clean@N02' } });
    expect(account.watermarkVerdict).toBe('pass');
    expect(account.flagScore).toBe(0.42);
    expect(await photoResults('clean@N02', 'watermark')).toHaveLength(0);
    await expect(stat(watermarkImagePath('clean@N02', dataDir))).rejects.toThrow();
  });

  it('reports the bordered account as a border (an uncertain minor edit), not a watermark', async () => {
    const account = await db().account.findUniqueOrThrow({
      where: { nsid: 'border@N03' },
      include: { checkResults: true },
    });
    expect(account.watermarkVerdict).toBe('pass');
    expect(account.checkResults.find((r) => r.check === 'border')?.verdict).toBe('uncertain');
    const borders = await photoResults('border@N03', 'border');
    expect(borders).toHaveLength(10);
    expect(borders.every((r) => r.verdict === 'uncertain')).toBe(true);
    expect((account.watermarkSummary as { border: { kind: string } }).border.kind).toBe('border');
  });

  it('skips accounts below the minimum', async () => {
    expect(await getAccountWatermark('small@N04')).toBeNull();
  });

  it('resumes: current accounts are skipped, and only an account with new photos is redone', async () => {
    expect(await runWatermarkBatch(ALL, { config: config() })).toEqual({
      done: 0,
      failed: 0,
      skipped: 4,
      flagged: 0,
    });
    expect(
      await runWatermarkBatch(['marked@N01', 'clean@N02', 'small@N04'], { config: config() }),
    ).toMatchObject({ done: 0, skipped: 3 });
    const more = await generateAccount('clean@N02-more', {
      watermark: false,
      border: false,
      photos: 2,
      size: 384,
      portraitShare: 0,
    });
    await addPhotos(
      'clean@N02',
      more.photos.map((p) => ({ thumb: p.thumb, width: p.width, height: p.height })),
    );
    expect(
      await runWatermarkBatch(['marked@N01', 'clean@N02'], { config: config(), runId: 'run-2' }),
    ).toMatchObject({ done: 1, skipped: 1 });
    const redone = await db().accountCheckResult.findUniqueOrThrow({
      where: { accountNsid_check: { accountNsid: 'clean@N02', check: 'watermark' } },
    });
    expect(redone.runId).toBe('run-2');
    expect(redone.version).toMatch(/\/n=12$/);
  });

  it('recomputes everything when a threshold changes', async () => {
    const result = await runWatermarkBatch(ALL, { config: { ...config(), fail: 0.6 } });
    expect(result.done).toBe(3);
  });
});
