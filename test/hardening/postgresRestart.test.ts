// PostgreSQL restarts in the middle of a run: the run pauses, continues, and counts every batch exactly once.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { disconnectDb } from '../../lib/db.ts';
import { getRun, type RunView } from '../../lib/queries/runs.ts';
import { freePort, startEmbeddedPostgres, type EmbeddedServer } from '../../lib/server/embeddedPostgres.ts';
import { migrate } from '../../lib/server/migrate.ts';
import { createRun } from '../../pipeline/runs/control.ts';
import { runSettings } from '../../pipeline/runs/settings.ts';
import { registryOf } from '../../pipeline/runs/types.ts';
import { startWorker, type Worker } from '../../pipeline/worker.ts';
import { closeSynthPool, SYNTH_TABLES, syntheticStage, synthValue } from '../pipeline/runs/syntheticStage.ts';

const STAGE = 'synth-restart';
const ITEMS = 40;
const BATCHES = 20;
const settings = runSettings(
  {},
  { heartbeatSeconds: 10, retryDelaySeconds: 1, pollSeconds: 0.5, maxAttempts: 6 },
);
// 20 batches of 2 items, 150 ms per item: about 3 s of work on two slots, so the outage lands in the middle.
const registry = registryOf([syntheticStage(STAGE, { itemMs: 150 })]);
const control = { registry, settings, defaults: { licenses: [9] } };

let dir = '';
let port = 0;
let server: EmbeddedServer | null = null;
let worker: Worker | null = null;
const previousUrl = process.env.DATABASE_URL;

async function query<T extends pg.QueryResultRow>(text: string, values: unknown[] = []): Promise<T[]> {
  const c = new pg.Client({ connectionString: server!.url });
  c.on('error', () => {}); // a probe cut off by the outage fails its query; that is all
  await c.connect();
  try {
    return (await c.query<T>(text, values)).rows;
  } finally {
    await c.end();
  }
}

/** Polls through the outage: while the server is down a probe fails, which only means "not yet". */
async function waitFor<T>(what: string, probe: () => Promise<T | null | false>, ms = 45_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = await probe().catch(() => null);
    if (v) return v;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'quarry-pg-restart-'));
  port = await freePort();
  server = await startEmbeddedPostgres({ dataDir: dir, port, database: 'quarry' });
  process.env.DATABASE_URL = server.url;
  await migrate(server.url);
  await query(SYNTH_TABLES);
});

afterAll(async () => {
  await worker?.stop().catch(() => {});
  await closeSynthPool();
  await disconnectDb();
  await server?.stop();
  if (previousUrl === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = previousUrl;
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('a PostgreSQL restart during a run', () => {
  it('pauses the run, then finishes every batch exactly once', async () => {
    worker = await startWorker({ concurrency: 2, registry, settings, log: () => {} });
    const { id } = await createRun({ stages: [STAGE], limit: ITEMS, batchSize: 2 }, null, control);

    // Stop the server once some batches are done and others are running.
    await waitFor('a few batches done', async () => {
      const [r] = await query<{ n: number }>(
        `SELECT count(*)::int AS n FROM run_batches WHERE run_id = $1 AND status = 'done' AND key NOT LIKE '\\_\\_%'`,
        [id],
      );
      return r.n >= 4;
    });
    await server!.stop();
    await new Promise((r) => setTimeout(r, 3000));
    server = await startEmbeddedPostgres({ dataDir: dir, port, database: 'quarry' });
    expect(server.url).toBe(process.env.DATABASE_URL);

    const run = await waitFor<RunView>('the run to end', async () => {
      const r = await getRun(id);
      return r && ['completed', 'failed', 'cancelled'].includes(r.status) ? r : null;
    }).catch(async (e: Error) => {
      const state = await query(
        `SELECT key, status, attempts, error FROM run_batches WHERE run_id = $1 AND status <> 'done' ORDER BY key`,
        [id],
      );
      const jobs = await query(`SELECT name, state, count(*)::int AS n FROM pgboss.job GROUP BY 1, 2`);
      throw new Error(
        `${e.message}; unfinished batches: ${JSON.stringify(state)}; pg-boss jobs: ${JSON.stringify(jobs)}`,
      );
    });
    expect(run.status, run.error ?? '').toBe('completed');
    const [stage] = run.stages;
    // Progress counts each batch once: no batch lost in the outage, none counted twice after a retry.
    expect(stage).toMatchObject({
      status: 'done',
      total: ITEMS,
      done: ITEMS,
      failed: 6,
      failuresByKind: { odd: 6 },
    });
    expect(stage.batches).toMatchObject({ done: BATCHES, pending: 0, active: 0, failed: 0 });

    const batches = await query<{ key: string; status: string; ok_count: number; fail_count: number }>(
      `SELECT key, status, ok_count, fail_count FROM run_batches WHERE run_id = $1 AND stage = $2 AND key NOT LIKE '\\_\\_%' ORDER BY key`,
      [id, STAGE],
    );
    expect(batches).toHaveLength(BATCHES);
    expect(batches.every((b) => b.status === 'done' && b.ok_count + b.fail_count === 2)).toBe(true);
    const [results] = await query<{ n: number; total: string }>(
      'SELECT count(*)::int AS n, sum(value)::text AS total FROM synth_results WHERE stage = $1',
      [STAGE],
    );
    const good = Array.from({ length: ITEMS }, (_, i) => i).filter((i) => i % 7 !== 3);
    expect(results).toEqual({
      n: good.length,
      total: String(good.reduce((t, i) => t + synthValue(STAGE, i), 0)),
    });
  }, 90_000);
});
