// One engine: the same generated universe, once through the stage commands a user types (`quarry ingest`, `analyze`,
// `clip`, `watermarks`, `export`) and once as the single run the Runs page starts (its route's createRun with the
// app's control options and a worker), each into its own database, ends with identical check results and an
// identical export. Both go through runs; neither has a driver of its own.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { disconnectDb } from '../../../lib/db.ts';
import { resolveExportDirectory } from '../../../lib/exportPaths.ts';
import { getRun } from '../../../lib/queries/runs.ts';
import { migrate } from '../../../lib/server/migrate.ts';
import { settings } from '../../../lib/settings.ts';
import { writeTestClipModel } from '../../../pipeline/devkit/clip/testModel.ts';
import { closeClipRuntimes } from '../../../pipeline/clip/runtime.ts';
import { appControl } from '../../../pipeline/runs/appControl.ts';
import { createRun } from '../../../pipeline/runs/control.ts';
import { defaultRegistry } from '../../../pipeline/runs/stages/index.ts';
import { startFlickrSimulator, type FlickrSimulator } from '../../../pipeline/devkit/simulator/server.ts';
import { generateUniverse } from '../../../pipeline/devkit/universe/generate.ts';
import { startWorker } from '../../../pipeline/worker.ts';
import { createDatabase, dropDatabase } from '../../helpers/db.ts';
import { duckQuery } from '../../helpers/duckdb.ts';

const universe = generateUniverse({
  seed: 'one-engine',
  photos: 60,
  accounts: 5,
  start: new Date('2021-01-01T00:00:00Z'),
  end: new Date('2021-07-01T00:00:00Z'),
});
const adminUrl = inject('pgAdminUrl');
const names = {
  cli: `t_cli_${randomBytes(4).toString('hex')}`,
  api: `t_api_${randomBytes(4).toString('hex')}`,
};
const urls: Record<string, string> = {};
let sim: FlickrSimulator;
let tmp: string;
const saved = { ...settings };
const savedEnv = { DATABASE_URL: process.env.DATABASE_URL, DATA_DIR: process.env.DATA_DIR };

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'quarry-one-engine-'));
  sim = await startFlickrSimulator({ universe, apiKey: 'one-key' });
  await writeTestClipModel(path.join(tmp, 'model'));
  // What the operator's environment would say; both sides read the same settings.
  Object.assign(settings, {
    FLICKR_API_KEY: 'one-key',
    FLICKR_API_BASE: sim.apiBase,
    IMAGE_HOSTS: [sim.imageHost],
    CLIP_MODEL_DIR: path.join(tmp, 'model'),
    FLICKR_RATE_LIMIT: 1e9,
    RUN_POLL_SECONDS: 0.5,
  });
  for (const side of ['cli', 'api'] as const) {
    urls[side] = await createDatabase(adminUrl, names[side]);
    await migrate(urls[side]);
  }
}, 60_000);

afterAll(async () => {
  Object.assign(settings, saved);
  for (const [k, v] of Object.entries(savedEnv))
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  await closeClipRuntimes();
  await disconnectDb();
  await sim?.close();
  for (const side of ['cli', 'api'] as const) await dropDatabase(adminUrl, names[side]).catch(() => {});
  await rm(tmp, { recursive: true, force: true });
});

function use(side: 'cli' | 'api') {
  process.env.DATABASE_URL = urls[side];
  process.env.DATA_DIR = path.join(tmp, side);
}

/** Everything the checks decided, without what differs by nature (run ids, times). */
async function results(side: 'cli' | 'api') {
  const client = new pg.Client({ connectionString: urls[side] });
  await client.connect();
  try {
    const photos = (
      await client.query(
        `SELECT photo_id, "check", version, verdict::text, score, details FROM check_results ORDER BY photo_id, "check"`,
      )
    ).rows;
    const accounts = (
      await client.query(
        `SELECT account_nsid, "check", version, verdict::text, score, details FROM account_check_results ORDER BY account_nsid, "check"`,
      )
    ).rows;
    const state = (
      await client.query(
        `SELECT id, availability::text, content_hash, duplicate_of_id FROM photos ORDER BY id`,
      )
    ).rows;
    const exports = (
      await client.query<{ directory: string; row_count: number; status: string }>(
        `SELECT directory, row_count, status::text FROM exports ORDER BY created_at`,
      )
    ).rows;
    return { photos, accounts, state, exports };
  } finally {
    await client.end();
  }
}

async function exported(directory: string) {
  const dir = resolveExportDirectory(directory);
  return {
    parquet: await duckQuery(
      `SELECT * FROM read_parquet('${path.join(dir, 'photos.parquet')}') ORDER BY photo_id`,
    ),
    csv: await duckQuery(
      `SELECT * FROM read_csv('${path.join(dir, 'photos.csv')}', all_varchar = true) ORDER BY photo_id`,
    ),
  };
}

describe('the stage commands and a Runs-page run', () => {
  it('give identical check results and an identical export', async () => {
    // 1. The commands, as a user types them; each is a run of its stage, followed to its end.
    use('cli');
    const { runCli } = await import('../../../pipeline/cli/main.ts');
    const io = { out: () => {}, err: () => {} };
    for (const line of [
      ['ingest', '--from', '2021-01-01', '--to', '2021-06-30'],
      ['analyze'],
      ['clip'],
      ['watermarks'],
      ['export', '--format', 'parquet,csv'],
    ]) {
      const code = await runCli(line, io);
      process.exitCode = undefined;
      expect(code, line.join(' ')).toBe(0);
    }
    const cli = await results('cli');
    const cliFiles = await exported(cli.exports[0].directory);
    await disconnectDb();

    // 2. One run of every stage, as the Runs page posts it (app/api/runs/route.ts → createRun with appControl()).
    use('api');
    const worker = await startWorker({ concurrency: 2, registry: defaultRegistry(), log: () => {} });
    try {
      const { id } = await createRun(
        {
          stages: ['ingest', 'analyze', 'clip', 'watermarks', 'export'],
          from: '2021-01-01',
          to: '2021-06-30',
          exportFormats: ['parquet', 'csv'],
        },
        null,
        appControl(),
      );
      let run = await getRun(id);
      for (
        const until = Date.now() + 240_000;
        run && !['completed', 'failed', 'cancelled'].includes(run.status) && Date.now() < until;
      ) {
        await new Promise((r) => setTimeout(r, 250));
        run = await getRun(id);
      }
      expect(run?.error ?? null).toBeNull();
      expect(run?.status).toBe('completed');
    } finally {
      await worker.stop();
    }
    const api = await results('api');
    const apiFiles = await exported(api.exports[0].directory);

    // Something real was decided: every kind of check, failures among them, and CLIP results from the test model.
    const checks = new Set(cli.photos.map((r) => r.check));
    for (const c of [
      'resolution',
      'exif_copyright',
      'copyright_text',
      'duplicate',
      'clip_nonphoto',
      'clip_nonwholesome',
    ])
      expect(checks, c).toContain(c);
    expect(cli.photos.some((r) => r.verdict === 'fail')).toBe(true);
    expect(cli.accounts.some((r) => r.check === 'watermark')).toBe(true);
    expect(cliFiles.parquet.length).toBeGreaterThan(0);

    expect(api.photos).toEqual(cli.photos);
    expect(api.accounts).toEqual(cli.accounts);
    expect(api.state).toEqual(cli.state);
    expect(api.exports.map((e) => [e.status, e.row_count])).toEqual(
      cli.exports.map((e) => [e.status, e.row_count]),
    );
    expect(apiFiles).toEqual(cliFiles);
  }, 600_000);
});
