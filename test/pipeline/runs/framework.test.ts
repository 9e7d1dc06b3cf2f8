// The job framework end to end on pg-boss with synthetic stages: progress, retries, failure, retry-failed, cancel, resume.
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { versionFor as resolutionVersion } from '../../../pipeline/checks/resolution.ts';
import { cancelRun, createRun, resumeRun, retryFailed } from '../../../pipeline/runs/control.ts';
import { runSettings } from '../../../pipeline/runs/settings.ts';
import { registryOf } from '../../../pipeline/runs/types.ts';
import { startWorker, type Worker } from '../../../pipeline/worker.ts';
import { getRun, listFailedBatches } from '../../../lib/queries/runs.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { closeSynthPool, SYNTH_TABLES, syntheticStage, synthValue } from './syntheticStage.ts';
import { pollFor } from '../../helpers/pollFor.ts';

const database = useTestDatabase();
const settings = runSettings(
  {},
  { heartbeatSeconds: 10, retryDelaySeconds: 1, pollSeconds: 0.5, maxAttempts: 3 },
);
const registry = registryOf([
  syntheticStage('synth-a', { after: true }),
  syntheticStage('synth-b', { itemMs: 30 }),
]);
const control = { registry, settings, defaults: { licenses: [9] } };
let client: pg.Client;
let worker: Worker | null = null;

beforeAll(async () => {
  client = new pg.Client({ connectionString: database.url() });
  await client.connect();
  await client.query(SYNTH_TABLES);
});
afterEach(async () => {
  await worker?.stop();
  worker = null;
  await client.query('TRUNCATE synth_results, synth_attempts, synth_faults, synth_stalls');
});
afterAll(async () => {
  await client.end();
  await closeSynthPool();
});

const start = async () => {
  worker = await startWorker({ concurrency: 2, registry, settings, log: () => {} });
};

const waitFor = <T>(what: string, probe: () => Promise<T | null | false>, ms = 30_000) =>
  pollFor(what, probe, ms);
const finished = (id: string) =>
  waitFor(`run ${id} to end`, async () => {
    const r = await getRun(id);
    return r && ['completed', 'failed', 'cancelled'].includes(r.status) ? r : null;
  });

describe('pipeline runs on pg-boss', () => {
  it('runs every stage in order, counting items, per-item failures by kind, and each stage’s after step', async () => {
    await start();
    const { id } = await createRun(
      { stages: ['synth-b', 'synth-a'], limit: 23, batchSize: 5 },
      null,
      control,
    );
    const run = await finished(id);
    expect(run.status).toBe('completed');
    expect(run.stages.map((s) => s.stage)).toEqual(['synth-a', 'synth-b']);
    for (const s of run.stages) {
      expect(s).toMatchObject({ status: 'done', total: 23, done: 23, failed: 3, failuresByKind: { odd: 3 } });
      expect(s.batches).toMatchObject({ done: 5, pending: 0, active: 0, failed: 0 });
    }
    const { rows } = await client.query(
      'SELECT stage, count(*)::int AS n, sum(value)::text AS total FROM synth_results GROUP BY stage ORDER BY stage',
    );
    const expected = (stage: string) =>
      Array.from({ length: 23 }, (_, i) => i)
        .filter((i) => i % 7 !== 3)
        .reduce((t, i) => t + synthValue(stage, i), 0);
    expect(rows).toEqual([
      { stage: 'synth-a', n: 20, total: String(expected('synth-a')) },
      { stage: 'synth-b', n: 20, total: String(expected('synth-b')) },
    ]);
    // synth-a's `after` ran once, after its batches and before synth-b started.
    const { rows: order } = await client.query(`SELECT stage, key FROM synth_attempts ORDER BY at`);
    const afterAt = order.findIndex((r) => r.key === '__after__');
    expect(order.filter((r) => r.key === '__after__')).toHaveLength(1);
    expect(order.slice(0, afterAt).every((r) => r.stage === 'synth-a')).toBe(true);
    expect(order.slice(afterAt + 1).every((r) => r.stage === 'synth-b')).toBe(true);
    expect(run.config).toMatchObject({
      stages: ['synth-a', 'synth-b'],
      limit: 23,
      batchSize: 5,
      licenses: [9],
    });
    // The stored configuration names the versions the checks stamp their results with (it once said `{}`).
    expect((run.config as { versions: Record<string, string> }).versions).toMatchObject({
      resolution: resolutionVersion(256),
      copyright_text: expect.any(String),
      exif_copyright: expect.any(String),
      duplicate: expect.any(String),
      watermark: expect.stringMatching(/^wm-\d+\//),
    });
  });

  it('retries a batch that throws, then fails the run when a batch keeps throwing; retry-failed finishes it', async () => {
    await client.query(
      `INSERT INTO synth_faults VALUES ('synth-a', 'b000005', 1), ('synth-a', 'b000010', 99)`,
    );
    await start();
    const { id } = await createRun(
      { stages: ['synth-a', 'synth-b'], limit: 15, batchSize: 5 },
      null,
      control,
    );
    const failedRun = await finished(id);
    expect(failedRun.status).toBe('failed');
    expect(failedRun.error).toMatch(/synth-a: 1 batch failed \(synthetic fault in b000010\)/);
    const a = failedRun.stages[0];
    expect(a).toMatchObject({ status: 'failed', total: 15, done: 15, batches: { done: 2, failed: 1 } });
    expect(a.failuresByKind).toMatchObject({ batch_error: 5 });
    expect(failedRun.stages[1].status).toBe('pending');
    // pg-boss gave up after its last attempt and handed the job to the dead letter queue, which failed the batch.
    expect(await listFailedBatches(id)).toMatchObject([
      { stage: 'synth-a', key: 'b000010', attempts: 3, error: 'synthetic fault in b000010' },
    ]);
    const { rows: tries } = await client.query(
      `SELECT key, count(*)::int AS n FROM synth_attempts WHERE stage = 'synth-a' GROUP BY key ORDER BY key`,
    );
    expect(tries).toEqual([
      { key: 'b000000', n: 1 },
      { key: 'b000005', n: 2 },
      { key: 'b000010', n: 3 },
    ]);

    await client.query(`UPDATE synth_faults SET remaining = 0`);
    await retryFailed(id, control);
    const run = await finished(id);
    expect(run.status).toBe('completed');
    expect(run.stages[0]).toMatchObject({ status: 'done', done: 15, failed: 2, failuresByKind: { odd: 2 } });
    expect(run.stages[1]).toMatchObject({ status: 'done', done: 15 });
  });

  it('an attempt that outlives its expiry is failed by pg-boss, its batch aborted and retried', async () => {
    await client.query(`INSERT INTO synth_stalls VALUES ('synth-b', 'b000005', 1)`);
    // The worker's settings too: it inserts the batches' jobs when it plans the stage.
    const short = { ...settings, expireSeconds: 10 };
    worker = await startWorker({ concurrency: 2, registry, settings: short, log: () => {} });
    const { id } = await createRun({ stages: ['synth-b'], limit: 15, batchSize: 5 }, null, {
      ...control,
      settings: short,
    });
    const run = await finished(id);
    expect(run.status).toBe('completed');
    expect(run.stages[0]).toMatchObject({ done: 15, failed: 2, batches: { done: 3, failed: 0 } });
    expect(run.stages[0].lastError).toMatch(
      /b000005: attempt 1 ended \(handler execution exceeded 10s\); attempt 2 started/,
    );
    const { rows } = await client.query(
      `SELECT key, count(*)::int AS n FROM synth_attempts GROUP BY key ORDER BY key`,
    );
    expect(rows).toEqual([
      { key: 'b000000', n: 1 },
      { key: 'b000005', n: 2 },
      { key: 'b000010', n: 1 },
    ]);
  }, 60_000);

  it('cancel stops at the next batch boundary; resume finishes the rest without redoing finished batches', async () => {
    await start();
    const { id } = await createRun({ stages: ['synth-b'], limit: 100, batchSize: 5 }, null, control);
    await waitFor(
      'some batches to finish',
      async () => ((await getRun(id))?.stages[0].batches.done ?? 0) >= 2,
    );
    await cancelRun(id, control);
    const cancelledAt = new Date();
    await waitFor(
      'running batches to finish',
      async () => (await getRun(id))!.stages[0].batches.active === 0,
    );
    const cancelled = (await getRun(id))!;
    expect(cancelled.status).toBe('cancelled');
    expect(cancelled.stages[0].status).toBe('cancelled');
    expect(cancelled.stages[0].batches.cancelled).toBeGreaterThan(0);
    const doneBefore = cancelled.stages[0].batches.done;
    expect(cancelled.stages[0].done).toBe(doneBefore * 5);
    await new Promise((r) => setTimeout(r, 1500));
    const {
      rows: [late],
    } = await client.query(`SELECT count(*)::int AS n FROM synth_attempts WHERE at > $1`, [cancelledAt]);
    expect(late.n).toBe(0);
    expect((await getRun(id))!.stages[0].batches.done).toBe(doneBefore);

    await resumeRun(id, control);
    const run = await finished(id);
    expect(run.status).toBe('completed');
    expect(run.stages[0]).toMatchObject({ status: 'done', total: 100, done: 100, batches: { done: 20 } });
    const { rows: twice } = await client.query(
      `SELECT key FROM synth_attempts GROUP BY key HAVING count(*) > 1`,
    );
    expect(twice).toEqual([]);
  });

  it('refuses an invalid configuration and unknown stages', async () => {
    await expect(createRun({ stages: ['nope'] }, null, control)).rejects.toThrow(/unknown stage nope/);
    await expect(
      createRun({ stages: ['synth-a'], from: '2024-05-01', to: '2024-04-01' }, null, control),
    ).rejects.toThrow(/must not be before from/);
    await expect(
      createRun(
        { stages: ['synth-a'], thresholds: { watermarkUncertain: 0.9, watermarkFail: 0.5 } },
        null,
        control,
      ),
    ).rejects.toThrow(/must not exceed/);
    await expect(createRun({ stages: [] }, null, control)).rejects.toThrow();
  });
});
