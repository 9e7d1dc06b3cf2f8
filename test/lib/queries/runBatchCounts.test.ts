// The Runs page's batches per stage and status come from maintained counts; they agree with a count of run_batches
// after batches are added, change status, are deleted (with their run), and after a TRUNCATE; with the trigger off,
// they do not. An active stage's rate reads the items finished in the last minute.
import { beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { getRun, listRuns } from '../../../lib/queries/runs.ts';
import { useTestDatabase } from '../../helpers/db.ts';

useTestDatabase();

/** Every run's batches per stage and status, from the page and from run_batches itself. */
async function agree(): Promise<void> {
  const page = await listRuns({ page: 1, pageSize: 50 });
  const got = Object.fromEntries(
    page.data.flatMap((r) => r.stages.map((s) => [`${r.id}/${s.stage}`, s.batches])),
  );
  const rows = await db().$queryRaw<{ run_id: string; stage: string; status: string; n: number }[]>`
    SELECT s.run_id, s.stage, b.status::text AS status, count(b.id)::int AS n
    FROM run_stages s LEFT JOIN run_batches b ON b.run_id = s.run_id AND b.stage = s.stage AND b.key NOT LIKE '\\_\\_%'
    GROUP BY 1, 2, 3`;
  const want: Record<string, Record<string, number>> = {};
  for (const r of rows) {
    want[`${r.run_id}/${r.stage}`] ??= { pending: 0, active: 0, done: 0, failed: 0, cancelled: 0 };
    if (r.status) want[`${r.run_id}/${r.stage}`][r.status] = r.n;
  }
  expect(got).toEqual(want);
}

async function addRun(id: string, batches: number): Promise<void> {
  await db().pipelineRun.create({ data: { id, stages: ['fetch', 'checks'], config: {}, status: 'running' } });
  await db().runStage.createMany({
    data: [
      {
        runId: id,
        stage: 'fetch',
        position: 0,
        status: 'active',
        total: batches * 10,
        startedAt: new Date(),
      },
      { runId: id, stage: 'checks', position: 1 },
    ],
  });
  await db().runBatch.createMany({
    data: [
      ...Array.from({ length: batches }, (_, i) => ({ runId: id, stage: 'fetch', key: `k${i}`, items: 10 })),
      { runId: id, stage: 'fetch', key: '__bookkeeping' },
    ],
  });
}

beforeAll(async () => {
  await addRun('run-a', 30);
});

describe('Runs page batch counts', () => {
  it('follow batches added, claimed, finished and failed, and give an active stage its rate', async () => {
    await agree();
    await db().runBatch.updateMany({
      where: { runId: 'run-a', key: { in: ['k1', 'k2', 'k3'] } },
      data: { status: 'active' },
    });
    await db().runBatch.updateMany({
      where: { runId: 'run-a', key: { in: ['k1', 'k2'] } },
      data: { status: 'done', finishedAt: new Date() },
    });
    await db().runBatch.update({
      where: { runId_stage_key: { runId: 'run-a', stage: 'fetch', key: 'k3' } },
      data: { status: 'failed' },
    });
    await db().runBatch.update({
      where: { runId_stage_key: { runId: 'run-a', stage: 'fetch', key: '__bookkeeping' } },
      data: { status: 'done' },
    });
    await agree();
    const run = await getRun('run-a');
    expect(run?.stages[0].batches).toMatchObject({ pending: 27, done: 2, failed: 1 });
    // 20 items finished in the last minute of an active stage.
    expect(run?.stages[0].rate).toBeGreaterThan(0);
  });

  it('follow many status changes, deleted runs and a TRUNCATE', async () => {
    for (let i = 0; i < 12; i++)
      for (const status of ['active', 'pending'] as const)
        await db().runBatch.updateMany({
          where: { runId: 'run-a', key: { startsWith: 'k2' } },
          data: { status },
        });
    await agree();
    await addRun('run-b', 5);
    await agree();
    await db().pipelineRun.delete({ where: { id: 'run-b' } });
    await agree();
    await db().$executeRaw`TRUNCATE run_batches`;
    await agree();
  });

  it('disagree with run_batches when the trigger is off (the comparison can fail)', async () => {
    await db().$executeRaw`ALTER TABLE run_batches DISABLE TRIGGER run_batches_counts_inserted`;
    try {
      await db().runBatch.create({ data: { runId: 'run-a', stage: 'checks', key: 'x' } });
      await expect(agree()).rejects.toThrow();
    } finally {
      await db().$executeRaw`ALTER TABLE run_batches ENABLE TRIGGER run_batches_counts_inserted`;
    }
  });
});
