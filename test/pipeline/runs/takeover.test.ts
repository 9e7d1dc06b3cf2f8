// Worker processes: a SIGKILLed worker's batches are taken over and nothing is lost or counted twice; two workers share a stage.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createRun } from '../../../pipeline/runs/control.ts';
import { stopBoss } from '../../../pipeline/runs/boss.ts';
import { closeRunsPool } from '../../../pipeline/runs/pool.ts';
import { runSettings } from '../../../pipeline/runs/settings.ts';
import { registryOf } from '../../../pipeline/runs/types.ts';
import { getRun } from '../../../lib/queries/runs.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { SYNTH_TABLES, syntheticStage, synthValue } from './syntheticStage.ts';
import { pollFor } from '../../helpers/pollFor.ts';

const database = useTestDatabase();
const registry = registryOf([syntheticStage('synth-a', { after: true }), syntheticStage('synth-b')]);
const control = {
  registry,
  settings: runSettings({}, { retryDelaySeconds: 1 }),
  defaults: { licenses: [9] },
};
const children: ChildProcess[] = [];
let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({ connectionString: database.url() });
  await client.connect();
  await client.query(SYNTH_TABLES);
});
afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  await client.query('TRUNCATE synth_results, synth_attempts, synth_faults');
});
afterAll(async () => {
  await client.end();
  await stopBoss();
  await closeRunsPool();
});

/** A worker in its own process (node --import tsx, so SIGKILL hits the worker itself, not a wrapper). */
async function spawnWorker(itemMs: number): Promise<ChildProcess> {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'workerChild.ts')],
    {
      env: {
        ...process.env,
        DATABASE_URL: database.url(),
        SYNTH_ITEM_MS: String(itemMs),
        SYNTH_CONCURRENCY: '2',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => {
    err += d.toString();
    if (process.env.DEBUG_WORKERS) process.stderr.write(d);
  });
  await new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      if (d.toString().includes('ready')) resolve();
    });
    child.once('exit', (code) => reject(new Error(`worker exited (${code}): ${err}`)));
  });
  return child;
}

const waitFor = <T>(what: string, probe: () => Promise<T | null | false>, ms = 150_000) =>
  pollFor(what, probe, ms);

const expectedResults = (stage: string, n: number) => {
  const items = Array.from({ length: n }, (_, i) => i).filter((i) => i % 7 !== 3);
  return { n: items.length, total: String(items.reduce((t, i) => t + synthValue(stage, i), 0)) };
};

describe('worker processes', () => {
  it('a worker killed with SIGKILL mid-stage: another takes its batches over, the run completes exactly as an uninterrupted one', async () => {
    const first = await spawnWorker(60);
    const { id } = await createRun({ stages: ['synth-a'], limit: 80, batchSize: 5 }, null, control);
    await waitFor('the worker to be mid-stage', async () => {
      const s = (await getRun(id))?.stages[0];
      if (s?.status === 'done') throw new Error('the stage ended before the worker could be killed');
      return s && s.batches.done >= 2 && s.batches.active >= 1;
    });
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));
    const { rows: orphaned } = await client.query(
      `SELECT id FROM run_batches WHERE run_id = $1 AND status = 'active'`,
      [id],
    );
    expect(orphaned.length).toBeGreaterThan(0);

    await spawnWorker(40);
    const run = await waitFor('the run to complete', async () => {
      const r = await getRun(id);
      return r && r.status !== 'running' && r.status !== 'queued' ? r : null;
    });
    expect(run.status).toBe('completed');
    expect(run.stages[0]).toMatchObject({
      status: 'done',
      total: 80,
      done: 80,
      failed: 11,
      failuresByKind: { odd: 11 },
      batches: { done: 16, failed: 0 },
    });
    const {
      rows: [res],
    } = await client.query(
      `SELECT count(*)::int AS n, sum(value)::text AS total FROM synth_results WHERE stage = 'synth-a'`,
    );
    expect(res).toEqual(expectedResults('synth-a', 80));
    const { rows: taken } = await client.query(
      `SELECT attempts, status FROM run_batches WHERE id = ANY($1::text[])`,
      [orphaned.map((o) => o.id)],
    );
    for (const t of taken) expect(t).toEqual({ attempts: 2, status: 'done' });
    // pg-boss failed the killed worker's attempt when its heartbeat stopped, and retried it on the other worker.
    expect(run.stages[0].lastError).toMatch(/attempt 1 ended \(job heartbeat timeout\); attempt 2 started/);
    const {
      rows: [sum],
    } = await client.query(
      `SELECT sum(items)::int AS items FROM run_batches WHERE run_id = $1 AND status = 'done' AND key NOT LIKE '\\_\\_%'`,
      [id],
    );
    expect(sum.items).toBe(80);
    // Two worker processes start (tsx compiles each): on a loaded 2-core machine that alone can take a minute.
  }, 180_000);

  it('two worker processes share one stage', async () => {
    const [a, b] = [await spawnWorker(20), await spawnWorker(20)];
    const { id } = await createRun({ stages: ['synth-b'], limit: 80, batchSize: 5 }, null, control);
    const run = await waitFor('the run to complete', async () => {
      const r = await getRun(id);
      return r?.status === 'completed' ? r : null;
    });
    expect(run.stages[0]).toMatchObject({ done: 80, batches: { done: 16 } });
    const { rows } = await client.query(`SELECT pid, count(*)::int AS n FROM synth_attempts GROUP BY pid`);
    expect(new Set(rows.map((r) => r.pid))).toEqual(new Set([a.pid, b.pid]));
    for (const r of rows) expect(r.n).toBeGreaterThanOrEqual(4);
  });
});
