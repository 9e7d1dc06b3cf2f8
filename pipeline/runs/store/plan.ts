// Commits a stage's plan in one transaction: every batch row with its job, the stage total, the plan batch done.
import type { BatchSpec } from '../types.ts';
import { bossDb, withTx } from '../pool.ts';
import { queueName } from '../queues.ts';
import type { Attempt, BatchRow, Deps } from './batches.ts';
import { insertBatches, isControlKey } from './jobs.ts';
import { advanceIfStageDone, lockRun, setStage } from './stages.ts';

const CHUNK = 500;

class PlanAborted extends Error {}

export type PlanOutcome =
  | { status: 'planned'; batches: number; items: number }
  | { status: 'lost' | 'stopped' };

/** All-or-nothing, so a planner that crashes halfway is simply planned again. */
export async function commitPlan(
  d: Deps,
  plan: BatchRow,
  job: Attempt,
  specs: AsyncIterable<BatchSpec> | Iterable<BatchSpec>,
  note: () => string | null = () => null,
): Promise<PlanOutcome> {
  try {
    return await withTx(async (tx) => {
      let batches = 0;
      let items = 0;
      let chunk: BatchSpec[] = [];
      const flush = async () => {
        const r = await insertBatches(tx, d.boss, d.settings, plan.run_id, plan.stage, chunk);
        batches += r.inserted;
        items += r.items;
        chunk = [];
      };
      for await (const spec of specs) {
        if (isControlKey(spec.key)) throw new Error(`Batch key ${spec.key} is reserved`);
        chunk.push(spec);
        if (chunk.length >= CHUNK) await flush();
      }
      await flush();
      const run = await lockRun(tx, plan.run_id);
      if (!run || (run.status !== 'running' && run.status !== 'queued')) throw new PlanAborted('stopped');
      // The plan counts only if pg-boss completes this very attempt with it (another may have taken over).
      const { affected } = (await d.boss.complete(
        queueName(plan.stage),
        { id: job.id, retryCount: job.retryCount },
        { batches },
        { db: bossDb(tx) },
      )) as { affected: number };
      if (!affected) throw new PlanAborted('lost');
      await tx.query(
        `UPDATE run_batches SET status = 'done', ok_count = $2, finished_at = now() WHERE id = $1`,
        [plan.id, batches],
      );
      await setStage(tx, plan.run_id, plan.stage, 'active', { total: items, started: true });
      const message = note();
      if (message)
        await tx.query('UPDATE run_stages SET last_error = $3 WHERE run_id = $1 AND stage = $2', [
          plan.run_id,
          plan.stage,
          message,
        ]);
      await advanceIfStageDone(tx, d.boss, d.settings, d.registry, run, plan.stage);
      return { status: 'planned' as const, batches, items };
    });
  } catch (e) {
    if (e instanceof PlanAborted) return { status: e.message as 'lost' | 'stopped' };
    throw e;
  }
}
