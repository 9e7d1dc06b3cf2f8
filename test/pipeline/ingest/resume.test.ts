import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, inject, it } from 'vitest';
import type { IngestConfig } from '../../../pipeline/ingest/crawl.ts';
import { startFlickrSimulator, type FlickrSimulator } from '../../../pipeline/devkit/simulator/server.ts';
import { generateUniverse } from '../../../pipeline/devkit/universe/generate.ts';
import { migrate } from '../../../lib/server/migrate.ts';
import { createDatabase, dropDatabase, useTestDatabase } from '../../helpers/db.ts';

const killed = useTestDatabase();
const adminUrl = inject('pgAdminUrl');
const cleanName = `t_${randomBytes(6).toString('hex')}`;
let cleanUrl = '';
const start = new Date('2021-01-01T00:00:00Z');
const end = new Date('2021-03-01T00:00:00Z');
const universe = generateUniverse({
  seed: 'ingest-resume',
  photos: 600,
  accounts: 30,
  burstShare: 0.4,
  start,
  end,
});
const config: IngestConfig = {
  licenses: [7, 8, 9, 10],
  from: start.getTime() / 1000,
  to: end.getTime() / 1000 - 1,
  cap: 150,
  perPage: 50,
  minWindowSeconds: 60,
  initialWindowSeconds: 7 * 86400,
};
let sim: FlickrSimulator;

beforeAll(async () => {
  // Slow answers so the crawl is still running when it is killed.
  sim = await startFlickrSimulator({ universe, faults: { delayMs: 25 } });
  cleanUrl = await createDatabase(adminUrl, cleanName);
  await migrate(cleanUrl);
});
afterAll(async () => {
  await sim?.close();
  await dropDatabase(adminUrl, cleanName);
});

/** Runs the crawl in a child process; with `killAfter`, SIGKILLs it once that many windows are done. */
function crawlInChild(
  databaseUrl: string,
  killAfter?: number,
): Promise<{ killed: boolean; windowsDone: number }> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures/crawlChild.ts')],
    {
      env: {
        ...process.env,
        DATABASE_URL: databaseUrl,
        FLICKR_API_BASE: sim.apiBase,
        CRAWL_CONFIG: JSON.stringify(config),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let windowsDone = 0;
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  child.stdout.on('data', (d: Buffer) => {
    for (const m of d.toString().matchAll(/^done (\d+)$/gm)) windowsDone = Number(m[1]);
    if (killAfter !== undefined && windowsDone >= killAfter && child.exitCode === null) child.kill('SIGKILL');
  });
  return new Promise((resolve, reject) => {
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve({ killed: true, windowsDone });
      else if (code === 0) resolve({ killed: false, windowsDone });
      else reject(new Error(`crawl child exited ${code}: ${stderr}`));
    });
  });
}

async function snapshot(url: string) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    const photos =
      await c.query(`SELECT id, owner_nsid, secret, server, farm, title, description, tags, license, date_upload, date_taken,
      date_taken_granularity, date_taken_unknown, original_width, original_height, original_format, original_secret,
      url_o, url_b, url_c, url_z, url_m, sizes::text, views FROM photos ORDER BY id`);
    const accounts = await c.query('SELECT nsid, username, photo_count, rank FROM accounts ORDER BY nsid');
    const windows = await c.query(
      'SELECT min_upload, max_upload, status, total, photos FROM crawl_windows ORDER BY min_upload, max_upload',
    );
    return { photos: photos.rows, accounts: accounts.rows, windows: windows.rows };
  } finally {
    await c.end();
  }
}

it('a crawl SIGKILLed mid-way and restarted ends with exactly the rows of an uninterrupted crawl', async () => {
  const first = await crawlInChild(killed.url(), 2);
  expect(first.killed).toBe(true);
  const partial = await snapshot(killed.url());
  expect(partial.windows.some((w) => w.status === 'pending')).toBe(true);
  expect(partial.photos.length).toBeGreaterThan(0);

  const resumed = await crawlInChild(killed.url());
  expect(resumed.killed).toBe(false);
  await crawlInChild(cleanUrl);

  const [a, b] = [await snapshot(killed.url()), await snapshot(cleanUrl)];
  expect(a.photos.length).toBe(universe.groundTruth.eligible.length);
  expect(a.photos).toEqual(b.photos);
  expect(a.accounts).toEqual(b.accounts);
  expect(a.windows).toEqual(b.windows);
});
