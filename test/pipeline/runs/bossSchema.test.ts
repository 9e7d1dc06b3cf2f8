// A database from before pg-boss 12 (a pg-boss 10 job schema, which 12 cannot migrate) still runs: the schema is
// replaced and every unfinished batch is re-queued from run_batches, so an interrupted run ends as an uninterrupted one.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { getRun } from '../../../lib/queries/runs.ts';
import { stopBoss } from '../../../pipeline/runs/boss.ts';
import { OLDEST_MIGRATABLE_SCHEMA } from '../../../pipeline/runs/bossSchema.ts';
import { createRun } from '../../../pipeline/runs/control.ts';
import { closeRunsPool } from '../../../pipeline/runs/pool.ts';
import { runSettings } from '../../../pipeline/runs/settings.ts';
import { registryOf } from '../../../pipeline/runs/types.ts';
import { startWorker } from '../../../pipeline/worker.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { closeSynthPool, SYNTH_TABLES, syntheticStage, synthValue } from './syntheticStage.ts';
import { pollFor } from '../../helpers/pollFor.ts';

const database = useTestDatabase();
const settings = runSettings({}, { retryDelaySeconds: 1, pollSeconds: 0.5, maxAttempts: 2 });
const registry = registryOf([syntheticStage('synth-a', { itemMs: 40 })]);
const control = { registry, settings, defaults: { licenses: [9] } };
let client: pg.Client;

beforeAll(async () => {
  client = new pg.Client({ connectionString: database.url() });
  await client.connect();
  await client.query(SYNTH_TABLES);
});
afterAll(async () => {
  await client.end();
  await stopBoss();
  await closeRunsPool();
  await closeSynthPool();
});

const waitFor = <T>(what: string, probe: () => Promise<T | null | false>, ms = 60_000) =>
  pollFor(what, probe, ms);

it('replaces a pg-boss 10 job schema and finishes the runs it held, counting every batch once', async () => {
  const first = await startWorker({ concurrency: 1, registry, settings, log: () => {} });
  const { id } = await createRun({ stages: ['synth-a'], limit: 60, batchSize: 5 }, null, control);
  await waitFor('some batches to finish', async () => ((await getRun(id))?.stages[0].batches.done ?? 0) >= 3);
  await first.stop();

  // The same database as an earlier Quarry left it: pg-boss 10's schema, holding that version's jobs.
  await client.query('DROP SCHEMA pgboss CASCADE');
  await client.query(await readFile(path.join(import.meta.dirname, 'fixtures/pgboss10-schema.sql'), 'utf8'));
  await client.query(`SELECT pgboss.create_queue('quarry-synth-a', '{"policy":"standard"}')`);
  await client.query(
    `INSERT INTO pgboss.job (name, data) SELECT 'quarry-synth-a', jsonb_build_object('batchId', id) FROM run_batches`,
  );
  const before = (await getRun(id))!;
  expect(before.status).toBe('running');
  const doneBefore = before.stages[0].batches.done;
  const { rows: finished } = await client.query<{ key: string }>(
    `SELECT key FROM run_batches WHERE run_id = $1 AND status = 'done' AND key NOT LIKE '\\_\\_%'`,
    [id],
  );
  expect(finished).toHaveLength(doneBefore);
  expect(doneBefore).toBeLessThan(12);

  const logs: string[] = [];
  const error = console.error;
  console.error = (m: string) => logs.push(m);
  const second = await startWorker({ concurrency: 2, registry, settings, log: () => {} }).finally(() => {
    console.error = error;
  });
  try {
    const run = await waitFor('the run to end', async () => {
      const r = await getRun(id);
      return r && r.status !== 'running' ? r : null;
    });
    expect(run.status).toBe('completed');
    expect(run.stages[0]).toMatchObject({ done: 60, failed: 9, batches: { done: 12, failed: 0 } });
  } finally {
    await second.stop();
  }
  expect(logs.join('\n')).toMatch(
    new RegExp(
      `replaced the job schema of pg-boss 10 \\(version 24\\).*${12 - doneBefore} unfinished batches re-queued`,
    ),
  );
  const {
    rows: [v],
  } = await client.query<{ v: number }>('SELECT max(version)::int AS v FROM pgboss.version');
  expect(v.v).toBeGreaterThanOrEqual(OLDEST_MIGRATABLE_SCHEMA);
  // No batch finished before the switch ran again (one the stopped worker handed back mid-way did), every item once.
  const { rows: again } = await client.query<{ key: string }>(
    `SELECT key FROM synth_attempts WHERE key = ANY($1::text[]) GROUP BY key HAVING count(*) > 1`,
    [finished.map((f) => f.key)],
  );
  expect(again).toEqual([]);
  const {
    rows: [res],
  } = await client.query<{ n: number; total: string }>(
    'SELECT count(*)::int AS n, sum(value)::text AS total FROM synth_results',
  );
  const items = Array.from({ length: 60 }, (_, i) => i).filter((i) => i % 7 !== 3);
  expect(res).toEqual({
    n: items.length,
    total: String(items.reduce((t, i) => t + synthValue('synth-a', i), 0)),
  });
  // The new jobs carry the framework's settings: pg-boss applies them.
  const { rows: jobs } = await client.query(
    `SELECT DISTINCT retry_limit, retry_delay, retry_backoff, heartbeat_seconds, expire_seconds, dead_letter
     FROM pgboss.job WHERE name = 'quarry-synth-a'`,
  );
  expect(jobs).toEqual([
    {
      retry_limit: 1,
      retry_delay: 1,
      retry_backoff: true,
      heartbeat_seconds: settings.heartbeatSeconds,
      expire_seconds: settings.expireSeconds,
      dead_letter: 'quarry-failed',
    },
  ]);
}, 120_000);
