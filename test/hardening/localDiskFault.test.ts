// Our own disk failing mid-analyze is never recorded as the photos' fault (issue 15, item 3): the batch fails with the
// error, no photo is marked corrupt, and once the disk is fixed a rerun analyzes every photo. Also: rows an older version
// recorded `corrupt: processing failed: EPERM … mkdir …` go back to the fetch queue (the repair migration).
//
// The fault is a real filesystem failure, not a mock: the thumbnail folder is swapped for a plain file mid-run, so every
// mkdir under it fails (ENOTDIR/EEXIST) exactly as an unwritable folder would. (chmod cannot do it: the tests run as
// root, and root ignores file modes.)
import { renameSync, writeFileSync } from 'node:fs';
import { mkdtemp, readFile, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countFetchPending } from '../../lib/queries/analysis.ts';
import type { StageProgress } from '../../lib/queries/runs.ts';
import { settings } from '../../lib/settings.ts';
import { runFetchBatch } from '../../pipeline/fetch/stage.ts';
import { hasImage } from '../../pipeline/fetch/imageStore.ts';
import { createFlickrClient } from '../../pipeline/flickr/client.ts';
import { createRateLimiter } from '../../pipeline/flickr/rateLimiter.ts';
import { crawlAll } from '../helpers/crawlAll.ts';
import { runToEnd } from '../../pipeline/runs/runToEnd.ts';
import { startFlickrSimulator, type FlickrSimulator } from '../../pipeline/devkit/simulator/server.ts';
import { generateUniverse } from '../../pipeline/devkit/universe/generate.ts';
import { analyzeSettings } from '../helpers/analyzeSettings.ts';
import { useTestDatabase } from '../helpers/db.ts';

const database = useTestDatabase();
const start = new Date('2021-01-01T00:00:00Z');
const end = new Date('2021-02-01T00:00:00Z');
const universe = generateUniverse({ seed: 'local-disk-fault', photos: 48, accounts: 4, start, end });
let sim: FlickrSimulator;
let sql: pg.Client;
let dataDir: string;

const count = async (where: string) =>
  (await sql.query<{ n: number }>(`SELECT count(*)::int AS n FROM photos WHERE ${where}`)).rows[0].n;

describe('a local disk fault during analyze', () => {
  beforeAll(async () => {
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'quarry-diskfault-'));
    sim = await startFlickrSimulator({ universe });
    const client = createFlickrClient({
      apiKey: 'k',
      apiBase: sim.apiBase,
      rateLimiter: createRateLimiter({ perHour: 1e9 }),
      retry: { baseMs: 1, maxMs: 5 },
    });
    expect(
      (
        await crawlAll(
          { licenses: [7, 8, 9, 10], from: start.getTime() / 1000, to: end.getTime() / 1000 - 1 },
          { client },
        )
      ).complete,
    ).toBe(true);
    sql = new pg.Client({ connectionString: database.url() });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await sim?.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('fails the run with the error, records no photo corrupt, and a rerun after the fix analyzes every photo', async () => {
    const photos = await count('true');
    const pending = await countFetchPending();
    expect(pending).toBe(photos);
    const thumbs = path.join(dataDir, 'images', 'thumbs');
    let report: StageProgress | undefined;
    const opts = { dataDir, imageHosts: [sim.imageHost], retries: 0, concurrency: 2, timeoutMs: 10_000 };
    // A run reads the same from the settings (lib/settings.ts), as the app's worker does.
    const saved = { ...settings };
    Object.assign(settings, {
      IMAGE_HOSTS: [sim.imageHost],
      FETCH_RETRIES: 0,
      FETCH_CONCURRENCY: 2,
      FETCH_TIMEOUT_MS: 10_000,
    });
    process.env.DATA_DIR = dataDir;
    const fetchRun = () =>
      runToEnd(
        { stages: ['analyze'], checks: ['fetch'], batchSize: 8 },
        { concurrency: 1, settings: { maxAttempts: 1 } },
      );
    try {
      // The first batch is stored; then the thumbnail folder becomes unusable.
      const first = (await sql.query<{ id: string }>('SELECT id FROM photos ORDER BY id LIMIT 8')).rows.map(
        (r) => r.id,
      );
      await runFetchBatch(first, analyzeSettings(opts));
      renameSync(thumbs, `${thumbs}.aside`);
      writeFileSync(thumbs, 'not a folder');

      // A run's batches now fail with the error (one attempt each here), and the run fails saying why.
      const failed = await fetchRun();
      expect(failed.status).toBe('failed');
      const message = failed.stages[0].lastError ?? '';
      expect(message).toMatch(/local disk error E(NOTDIR|EXIST) writing images under /);
      expect(message).toContain(dataDir);
      // No photo paid for our disk: the first batch is stored, the rest are still waiting, none is corrupt or an error.
      expect(await count(`availability = 'error'`)).toBe(0);
      expect(await count(`availability = 'available'`)).toBe(8);
      expect(await countFetchPending()).toBe(photos - 8);

      // The same failure through the run stage's batch entry point directly.
      const ids = (
        await sql.query<{ id: string }>(
          `SELECT id FROM photos WHERE availability = 'unknown' ORDER BY id LIMIT 5`,
        )
      ).rows.map((r) => r.id);
      await expect(runFetchBatch(ids, analyzeSettings(opts))).rejects.toThrow(/local disk error/);
      expect(await count(`availability = 'error'`)).toBe(0);

      // The disk is fixed; a new run analyzes every photo, each with its thumbnail on disk.
      await rm(thumbs);
      await rename(`${thumbs}.aside`, thumbs);
      const rerun = await fetchRun();
      expect(rerun.status).toBe('completed');
      report = rerun.stages[0];
    } finally {
      Object.assign(settings, saved);
      delete process.env.DATA_DIR;
    }
    // Every photo the server still serves is analyzed; the only ones not are those deleted on Flickr (404: unavailable).
    const stored = (
      await sql.query<{ id: string; availability: string }>(
        'SELECT id, availability::text FROM photos ORDER BY id',
      )
    ).rows;
    const deleted = stored
      .filter((r) => universe.photos.find((p) => p.id === r.id)!.deleted)
      .map((r) => r.id);
    expect(report).toMatchObject({
      done: photos - 8,
      failed: deleted.length,
      failuresByKind: deleted.length ? { unavailable: deleted.length } : {},
    });
    expect(stored.filter((r) => r.availability !== 'available').map((r) => r.id)).toEqual(deleted);
    expect(await count(`availability = 'available'`)).toBe(photos - deleted.length);
    const hashes = (
      await sql.query<{ h: string }>(`SELECT content_hash AS h FROM photos WHERE availability = 'available'`)
    ).rows.map((r) => r.h);
    expect((await Promise.all(hashes.map((h) => hasImage('thumbs', h, dataDir)))).every(Boolean)).toBe(true);
  });

  it('puts photos an older version marked corrupt for our disk back in the fetch queue, and leaves real decode errors alone', async () => {
    const [a, b, c] = (await sql.query<{ id: string }>('SELECT id FROM photos ORDER BY id LIMIT 3')).rows.map(
      (r) => r.id,
    );
    await sql.query(`UPDATE photos SET availability = 'error', fetch_error = $2 WHERE id = $1`, [
      a,
      "corrupt: processing failed: EPERM: operation not permitted, mkdir '/srv/quarry/data/images/thumbs/3f'",
    ]);
    await sql.query(`UPDATE photos SET availability = 'error', fetch_error = $2 WHERE id = $1`, [
      b,
      'corrupt: processing failed: ENOSPC: no space left on device, write',
    ]);
    await sql.query(`UPDATE photos SET availability = 'error', fetch_error = $2 WHERE id = $1`, [
      c,
      'corrupt: processing failed: Input buffer has corrupt header: VipsJpeg: premature end of JPEG image',
    ]);
    const before = await countFetchPending();
    const migration = await readFile(
      path.resolve('prisma/migrations/20261205130000_retry_local_disk_fetch_errors/migration.sql'),
      'utf8',
    );
    await sql.query(migration);
    expect(
      (
        await sql.query(
          'SELECT id, availability::text, fetch_error FROM photos WHERE id = ANY($1) ORDER BY id',
          [[a, b, c]],
        )
      ).rows,
    ).toEqual([
      { id: a, availability: 'unknown', fetch_error: null },
      { id: b, availability: 'unknown', fetch_error: null },
      {
        id: c,
        availability: 'error',
        fetch_error:
          'corrupt: processing failed: Input buffer has corrupt header: VipsJpeg: premature end of JPEG image',
      },
    ]);
    expect(await countFetchPending()).toBe(before + 2);
  });
});
