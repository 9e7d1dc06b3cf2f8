// Ingest and analyze against the simulator while it injects every fault it knows: the results must not change.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { settings } from '../../lib/settings.ts';
import { createFlickrClient } from '../../pipeline/flickr/client.ts';
import { createRateLimiter } from '../../pipeline/flickr/rateLimiter.ts';
import { crawlAll } from '../helpers/crawlAll.ts';
import type { IngestConfig } from '../../pipeline/ingest/crawl.ts';
import { runToEnd } from '../../pipeline/runs/runToEnd.ts';
import { startFlickrSimulator, type FlickrSimulator } from '../../pipeline/devkit/simulator/server.ts';
import { generateUniverse } from '../../pipeline/devkit/universe/generate.ts';
import { useTestDatabase } from '../helpers/db.ts';

const database = useTestDatabase();
const start = new Date('2020-01-01T00:00:00Z');
const end = new Date('2020-04-01T00:00:00Z');
const universe = generateUniverse({
  seed: 'hardening-faults',
  photos: 400,
  accounts: 30,
  burstShare: 0.5,
  start,
  end,
});
const eligible = new Set(universe.groundTruth.eligible);
const config: IngestConfig = {
  licenses: [7, 8, 9, 10],
  from: start.getTime() / 1000,
  to: end.getTime() / 1000 - 1,
  cap: 120,
  perPage: 25,
  minWindowSeconds: 60,
  initialWindowSeconds: 90 * 86400,
};

let sim: FlickrSimulator;
let sql: pg.Client;
let dataDir: string;

beforeAll(async () => {
  sim = await startFlickrSimulator({ universe, apiKey: 'k', resultCap: 150 });
  sql = new pg.Client({ connectionString: database.url() });
  await sql.connect();
  dataDir = await mkdtemp(path.join(os.tmpdir(), 'quarry-faults-'));
});
afterAll(async () => {
  await sql?.end();
  await sim?.close();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('simulator faults', () => {
  it('ingest stores exactly the eligible photos through timeouts, 5xx, 105, 429 and truncated JSON', async () => {
    // Slow answers (400 ms) on 8 % of requests against a 150 ms client timeout: those are timeouts, not waits.
    sim.setFaults({
      errorRate: 0.15,
      rate429: 0.08,
      truncateRate: 0.12,
      delayMs: 400,
      slowRate: 0.1,
      seed: 'ingest-faults',
    });
    const client = createFlickrClient({
      apiKey: 'k',
      apiBase: sim.apiBase,
      rateLimiter: createRateLimiter({ perHour: 1e9 }),
      timeoutMs: 150,
      retry: { retries: 12, baseMs: 2, maxMs: 20 },
    });
    const summary = await crawlAll(config, { client });
    sim.setFaults({});
    expect(summary.complete).toBe(true);
    expect(summary.errors).toEqual([]);
    const faults = sim.stats().faults;
    // Every kind of fault was met and retried; the client retried at least once per injected API fault.
    expect(faults).toBeGreaterThanOrEqual(5);
    expect(client.counters.retries).toBeGreaterThanOrEqual(faults);

    const { rows } = await sql.query<{ id: string }>('SELECT id FROM photos');
    expect(rows.length).toBe(eligible.size);
    expect(new Set(rows.map((r) => r.id))).toEqual(eligible);
    const windows = await sql.query<{ status: string; n: number }>(
      'SELECT status, count(*)::int AS n FROM crawl_windows GROUP BY status',
    );
    expect(windows.rows.every((w) => w.status === 'done' || w.status === 'split')).toBe(true);
  }, 60_000);

  it('fetch records truncated and refused images as per-photo errors and stores the rest', async () => {
    // Half of the image answers stop mid-body or are 503s; no retries, so each of those must end as that photo's error.
    sim.setFaults({ imageTruncateRate: 0.3, imageErrorRate: 0.1, seed: 'image-faults' });
    // A run of the fetch step, reading these settings as the app's worker does.
    const saved = { ...settings };
    Object.assign(settings, {
      IMAGE_HOSTS: [sim.imageHost],
      FETCH_RETRIES: 0,
      FETCH_BACKOFF_MS: 1,
      FETCH_TIMEOUT_MS: 10_000,
      FETCH_MAX_BYTES: 5_000_000,
      FETCH_CONCURRENCY: 6,
    });
    process.env.DATA_DIR = dataDir;
    const run = await runToEnd({ stages: ['analyze'], checks: ['fetch'], limit: 160 }).finally(() => {
      Object.assign(settings, saved);
      delete process.env.DATA_DIR;
    });
    sim.setFaults({});
    expect(run.status).toBe('completed');
    const fetch = run.stages[0];
    expect(fetch.done).toBe(160);

    const rows = (
      await sql.query<{
        id: string;
        availability: string;
        fetch_error: string | null;
        content_hash: string | null;
      }>(
        `SELECT id, availability::text, fetch_error, content_hash FROM photos WHERE availability <> 'unknown'`,
      )
    ).rows;
    const by = (a: string) => rows.filter((r) => r.availability === a);
    const deleted = new Set(universe.groundTruth.deleted);
    // Every photo of the pass has an outcome; deleted photos are unavailable, never errors.
    expect(rows.length).toBe(160);
    for (const r of rows) expect(r.availability === 'unavailable', r.id).toBe(deleted.has(r.id));
    const errors = by('error');
    const available = by('available');
    // About 40 % of the downloads were broken: many errors, and many more photos that went through.
    const broken = errors.filter((e) => /^(network|http_error|corrupt):/.test(e.fetch_error ?? ''));
    expect(broken.length).toBeGreaterThan(160 * 0.2);
    expect(available.length).toBeGreaterThan(160 * 0.4);
    // The only other errors are photos that offer no URL at all, which no fault causes.
    expect(errors.filter((e) => !broken.includes(e)).every((e) => e.fetch_error!.startsWith('no_url:'))).toBe(
      true,
    );
    expect(errors.every((e) => e.content_hash === null)).toBe(true);
    expect(available.every((a) => a.content_hash !== null)).toBe(true);
    expect(fetch.failed).toBe(errors.length + by('unavailable').length);
    expect(fetch.failuresByKind.network ?? 0).toBeGreaterThan(0);
    expect(fetch.failuresByKind.http_error ?? 0).toBeGreaterThan(0);

    // No partial file is left in the image store, and a thumbnail exists for each fetched photo only.
    const files = await filesUnder(path.join(dataDir, 'images'));
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    const thumbs = new Set(
      files.filter((f) => f.includes(`${path.sep}thumbs${path.sep}`)).map((f) => path.basename(f, '.webp')),
    );
    expect(thumbs).toEqual(new Set(available.map((a) => a.content_hash)));
  }, 60_000);
});
