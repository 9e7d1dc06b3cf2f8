// A full disk under the image store: the fetch batch stops with a clear error and records nothing half-written as done.
import { execFileSync } from 'node:child_process';
import { mkdtemp, readdir, rm, rmdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runFetchBatch } from '../../pipeline/fetch/stage.ts';
import { createFlickrClient } from '../../pipeline/flickr/client.ts';
import { createRateLimiter } from '../../pipeline/flickr/rateLimiter.ts';
import { crawlAll } from '../helpers/crawlAll.ts';
import { startFlickrSimulator, type FlickrSimulator } from '../../pipeline/devkit/simulator/server.ts';
import { generateUniverse } from '../../pipeline/devkit/universe/generate.ts';
import { analyzeSettings } from '../helpers/analyzeSettings.ts';
import { useTestDatabase } from '../helpers/db.ts';

/** Mounts a 256 KiB tmpfs; null when this machine does not let us (not root, no CAP_SYS_ADMIN). */
async function tinyFilesystem(): Promise<string | null> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'quarry-tinyfs-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', dir], { stdio: 'pipe' });
    return dir;
  } catch (e) {
    console.warn(
      `diskFull: SKIPPED — cannot mount a tmpfs here (${(e as Error).message.split('\n')[0]}); run the tests as root to cover a full disk`,
    );
    await rmdir(dir);
    return null;
  }
}

const mountPoint = await tinyFilesystem();
const database = useTestDatabase();
const start = new Date('2021-01-01T00:00:00Z');
const end = new Date('2021-02-01T00:00:00Z');
const universe = generateUniverse({ seed: 'disk-full', photos: 40, accounts: 5, start, end });
let sim: FlickrSimulator;
let sql: pg.Client;

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe.skipIf(!mountPoint)('a full disk for thumbnails', () => {
  beforeAll(async () => {
    sim = await startFlickrSimulator({ universe });
    const client = createFlickrClient({
      apiKey: 'k',
      apiBase: sim.apiBase,
      rateLimiter: createRateLimiter({ perHour: 1e9 }),
      retry: { baseMs: 1, maxMs: 5 },
    });
    const ingest = await crawlAll(
      { licenses: [7, 8, 9, 10], from: start.getTime() / 1000, to: end.getTime() / 1000 - 1 },
      { client },
    );
    expect(ingest.complete).toBe(true);
    sql = new pg.Client({ connectionString: database.url() });
    await sql.connect();
  });
  afterAll(async () => {
    await sql?.end();
    await sim?.close();
    if (mountPoint) {
      execFileSync('umount', [mountPoint]);
      await rmdir(mountPoint);
    }
  });

  it('throws a batch error naming the disk, records no photo of the batch as fetched, leaves no partial file', async () => {
    // Leave room for a thumbnail or two: the disk fills in the middle of the batch, not before it.
    await writeFile(path.join(mountPoint!, 'filler'), Buffer.alloc(200 * 1024, 1));
    const ids = (
      await sql.query<{ id: string }>(
        `SELECT id FROM photos WHERE url_b IS NOT NULL OR url_c IS NOT NULL OR url_z IS NOT NULL OR url_m IS NOT NULL ORDER BY id LIMIT 20`,
      )
    ).rows.map((r) => r.id);
    expect(ids.length).toBe(20);
    const s = analyzeSettings({
      dataDir: mountPoint!,
      imageHosts: [sim.imageHost],
      retries: 0,
      concurrency: 2,
      clip: true,
      timeoutMs: 10_000,
    });

    const err = await runFetchBatch(ids, s).then(
      () => null,
      (e: unknown) => e as Error,
    );
    if (!err) {
      const recorded = await sql.query<{ fetch_error: string | null }>(
        'SELECT DISTINCT fetch_error FROM photos WHERE id = ANY($1)',
        [ids],
      );
      expect.fail(
        `the batch must fail as a whole, not record the full disk per photo; it recorded: ${JSON.stringify(recorded.rows.map((r) => r.fetch_error))}`,
      );
    }
    expect(err!.message).toMatch(/disk full/i);
    expect(err!.message).toContain(mountPoint!);

    const rows = (
      await sql.query<{ availability: string; n: number }>(
        'SELECT availability::text, count(*)::int AS n FROM photos WHERE id = ANY($1) GROUP BY 1',
        [ids],
      )
    ).rows;
    expect(rows).toEqual([{ availability: 'unknown', n: 20 }]);
    const files = await filesUnder(path.join(mountPoint!, 'images'));
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);

    // Once there is room again, the same batch completes: the failed attempt left nothing in the way.
    await rm(path.join(mountPoint!, 'filler'));
    const summary = await runFetchBatch(ids, s);
    expect(summary.ok + summary.failed).toBe(20);
    const after = (
      await sql.query<{ n: number }>(
        `SELECT count(*)::int AS n FROM photos WHERE id = ANY($1) AND availability = 'unknown'`,
        [ids],
      )
    ).rows[0];
    expect(after.n).toBe(0);
    expect(summary.failuresByKind.corrupt ?? 0).toBe(0);
  });
});
