import pg from 'pg';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFlickrClient } from '../../../pipeline/flickr/client.ts';
import { FlickrInvalidKeyError } from '../../../pipeline/flickr/errors.ts';
import { createRateLimiter } from '../../../pipeline/flickr/rateLimiter.ts';
import { crawlAll } from '../../helpers/crawlAll.ts';
import type { IngestConfig } from '../../../pipeline/ingest/crawl.ts';
import { startFlickrSimulator, type FlickrSimulator } from '../../../pipeline/devkit/simulator/server.ts';
import { generateUniverse } from '../../../pipeline/devkit/universe/generate.ts';
import { useTestDatabase } from '../../helpers/db.ts';

const database = useTestDatabase();
const start = new Date('2020-01-01T00:00:00Z');
const end = new Date('2020-03-01T00:00:00Z');
// 60% of the photos land in one 6-hour burst, far over the cap of a single window.
const universe = generateUniverse({
  seed: 'ingest-acceptance',
  photos: 1500,
  accounts: 60,
  burstShare: 0.6,
  start,
  end,
});
const eligible = new Set(universe.groundTruth.eligible);
const config: IngestConfig = {
  licenses: [7, 8, 9, 10],
  from: start.getTime() / 1000,
  to: end.getTime() / 1000 - 1,
  cap: 300,
  perPage: 100,
  minWindowSeconds: 60,
  initialWindowSeconds: 90 * 86400,
};

let sim: FlickrSimulator;
let sql: pg.Client;
const client = (apiKey = 'good-key') =>
  createFlickrClient({
    apiKey,
    apiBase: sim.apiBase,
    rateLimiter: createRateLimiter({ perHour: 1e9 }),
    retry: { baseMs: 2, maxMs: 20 },
  });

beforeAll(async () => {
  sim = await startFlickrSimulator({ universe, apiKey: 'good-key', resultCap: 400 });
  sql = new pg.Client({ connectionString: database.url() });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await sim?.close();
});
beforeEach(async () => {
  sim.setFaults({});
  await sql.query('TRUNCATE photos, accounts, crawl_windows CASCADE');
});

async function storedIds(): Promise<string[]> {
  return (await sql.query<{ id: string }>('SELECT id FROM photos ORDER BY id')).rows.map((r) => r.id);
}

describe('ingest crawl against the simulator', () => {
  it('crawls a window larger than the cap completely: every eligible photo exactly once, nothing ineligible', async () => {
    // The universe really does overflow one query: its burst alone is over Flickr's (scaled) cap.
    expect(eligible.size).toBeGreaterThan(800);
    const summary = await crawlAll(config, { client: client() });
    expect(summary.complete).toBe(true);
    expect(summary.errors).toEqual([]);
    expect(summary.windowsSplit).toBeGreaterThan(0);

    const ids = await storedIds();
    expect(ids.length).toBe(eligible.size);
    expect(new Set(ids)).toEqual(eligible);
    const licenses = await sql.query<{ license: number }>('SELECT DISTINCT license FROM photos');
    for (const { license } of licenses.rows) expect([7, 8, 9, 10]).toContain(license);

    // Accounts: counts match the photos stored, ranks order them (1 = most photos, ties by nsid).
    const accounts = (
      await sql.query<{ nsid: string; photo_count: number; rank: number }>(
        'SELECT nsid, photo_count, rank FROM accounts ORDER BY rank',
      )
    ).rows;
    const expected = new Map<string, number>();
    for (const p of universe.photos)
      if (eligible.has(p.id)) expected.set(p.owner, (expected.get(p.owner) ?? 0) + 1);
    expect(accounts.length).toBe(expected.size);
    const ranked = [...expected].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1));
    expect(accounts.map((a) => [a.nsid, a.photo_count])).toEqual(ranked);
    expect(accounts.map((a) => a.rank)).toEqual(ranked.map((_, i) => i + 1));

    // Every window ends done or split; done windows hold at most the cap unless at the minimum width.
    const windows = (await sql.query<{ status: string }>('SELECT status FROM crawl_windows')).rows;
    expect(windows.every((w) => w.status === 'done' || w.status === 'split')).toBe(true);
  });

  it('stores what Flickr sent: quirky strings and numbers, raw HTML, url_l as url_b, url_m', async () => {
    await crawlAll(config, { client: client() });
    const withOriginal = universe.photos.find(
      (p) => eligible.has(p.id) && !p.originalHidden && p.width >= 1024 && p.description.includes('&'),
    )!;
    const row = (await sql.query('SELECT * FROM photos WHERE id = $1', [withOriginal.id])).rows[0];
    expect(row.description).toBe(withOriginal.description);
    expect(row.original_width).toBe(withOriginal.width);
    expect(row.license).toBe(withOriginal.license);
    expect(row.date_upload.getTime()).toBe(withOriginal.dateUpload * 1000);
    expect(row.url_b).toMatch(new RegExp(`/${withOriginal.id}_${withOriginal.secret}_b\\.jpg$`));
    expect(row.url_m).toBe(`${sim.url}/${withOriginal.server}/${withOriginal.id}_${withOriginal.secret}.jpg`);
    expect(row.sizes.o).toEqual([withOriginal.width, withOriginal.height]);
    const hidden = universe.photos.find((p) => eligible.has(p.id) && p.originalHidden)!;
    const hiddenRow = (await sql.query('SELECT url_o, original_width FROM photos WHERE id = $1', [hidden.id]))
      .rows[0];
    expect(hiddenRow).toEqual({ url_o: null, original_width: null });
  });

  it('completes with 20% of requests failing (105, 5xx, 429) and stores the same photos', async () => {
    sim.setFaults({ errorRate: 0.15, rate429: 0.05, seed: 'faults' });
    const c = client();
    const summary = await crawlAll(config, { client: c });
    expect(summary.complete).toBe(true);
    expect(c.counters.retries).toBeGreaterThan(0);
    expect(new Set(await storedIds())).toEqual(eligible);
    expect(sim.stats().faults).toBeGreaterThan(0);
  });

  it('fails fast on an invalid key with a clear message and stores nothing', async () => {
    const c = client('wrong-key');
    const run = crawlAll(config, { client: c });
    await expect(run).rejects.toBeInstanceOf(FlickrInvalidKeyError);
    await expect(run).rejects.toThrow(/FLICKR_API_KEY/);
    expect(c.counters.requests).toBe(1);
    expect(await storedIds()).toEqual([]);
    const done = await sql.query("SELECT count(*)::int AS n FROM crawl_windows WHERE status <> 'pending'");
    expect(done.rows[0].n).toBe(0);
  });
});
