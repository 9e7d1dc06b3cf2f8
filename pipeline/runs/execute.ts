// Runs one attempt of a batch job that pg-boss handed this worker, and records its outcome for the Runs page.
import type { StageFinishing } from '../../lib/domain/stageFinishing.ts';
import type { JobWithMetadata } from 'pg-boss';
import { foldAccountCheckCounts } from '../../lib/queries/checkCounts.ts';
import { refreshFlagScores } from '../../lib/queries/flagScores.ts';
import { refreshInclusionSummary } from '../../lib/queries/inclusionSummary.ts';
import type { ResolvedRunConfig } from './config.ts';
import { queueName } from './queues.ts';
import {
  claimBatch,
  completeBatch,
  handBack,
  noteFailedAttempt,
  recordGaveUp,
  releaseBatch,
  type Deps,
} from './store/batches.ts';
import { AFTER_KEY, PLAN_KEY, type BatchJobData } from './store/jobs.ts';
import { commitPlan } from './store/plan.ts';
import { noteStage } from './store/stages.ts';
import type { AdapterRegistry, BatchContext, BatchResult, RunInfo } from './types.ts';

export type ExecuteOptions = Deps & {
  adapters: AdapterRegistry;
  workerId: string;
  stopping: AbortSignal;
  log?: (m: string) => void;
};

export class LeaseLostError extends Error {
  constructor() {
    super('Batch taken over by another worker');
  }
}

const describe = (e: unknown) => (e instanceof Error ? e.message : String(e)).slice(0, 2000);

/**
 * pg-boss beats the job's heartbeat while this runs, aborts `job.signal` when the attempt is no longer this worker's
 * (expired, or failed by the supervisor after a heartbeat went missing), and retries or gives up on a throw.
 */
export async function executeJob(
  job: JobWithMetadata<BatchJobData>,
  o: ExecuteOptions,
): Promise<{ outcome: string }> {
  const claim = await claimBatch(o, job, o.workerId);
  if (claim.kind === 'skip') return { outcome: `skipped: ${claim.reason}` };
  const { batch } = claim;
  const run: RunInfo = { id: batch.run_id, config: claim.config as ResolvedRunConfig };
  const adapter = o.adapters.get(batch.stage);
  const lost = new AbortController();
  const signal = AbortSignal.any([job.signal, lost.signal, o.stopping]);
  // For a stage that wants to say it is alive now (between long steps), besides pg-boss's own timer.
  const beat = async () => {
    const { affected } = (await o.boss.touch(queueName(batch.stage), {
      id: job.id,
      retryCount: job.retryCount,
    })) as { affected: number };
    if (!affected) lost.abort(new LeaseLostError());
  };
  const note = (message: string, finishing?: StageFinishing) =>
    noteStage(run.id, batch.stage, message, finishing ?? null);
  const ctx: BatchContext = { runId: run.id, config: run.config, signal, heartbeat: beat, note };
  try {
    if (!adapter) throw new Error(`Stage "${batch.stage}" is not available in this worker`);
    if (batch.key === PLAN_KEY) {
      let note: string | null = null;
      const r = await commitPlan(
        o,
        batch,
        job,
        adapter.plan(run, {
          note: (m) => {
            note = m;
          },
        }),
        () => note,
      );
      if (r.status === 'stopped') await releaseBatch(batch, job);
      return {
        outcome: r.status === 'planned' ? `planned ${r.batches} batches, ${r.items} items` : r.status,
      };
    }
    let result: BatchResult;
    if (batch.key === AFTER_KEY) result = (await adapter.after?.(run, ctx)) ?? { ok: 0, failed: 0 };
    else result = await adapter.runBatch({ key: batch.key, params: batch.params }, ctx);
    // A stage that ignored a stopping worker and finished anyway still counts; one that lost its attempt does not.
    if (job.signal.aborted || lost.signal.aborted) throw lost.signal.reason ?? job.signal.reason;
    const recorded = await completeBatch(o, batch, job, result);
    // Check results changed accounts' flag scores; recompute those now that the batch is committed.
    await refreshFlagScores().catch((e: unknown) =>
      o.log?.(`flag scores after ${batch.stage} ${batch.key}: ${describe(e)}`),
    );
    // And the dashboard's inclusion summary, so it stays current through a run instead of catching up on a page load.
    await refreshInclusionSummary().catch((e: unknown) =>
      o.log?.(`inclusion summary after ${batch.stage} ${batch.key}: ${describe(e)}`),
    );
    // And the per-account check counts' deltas, once they pile up (each batch appends a few hundred).
    await foldAccountCheckCounts().catch((e: unknown) =>
      o.log?.(`check counts after ${batch.stage} ${batch.key}: ${describe(e)}`),
    );
    return {
      outcome: recorded
        ? `done: ${result.ok} ok, ${result.failed} failed`
        : 'lost: the attempt was no longer this worker’s',
    };
  } catch (e) {
    // pg-boss has already failed (or handed on) this attempt: nothing of it may be recorded.
    if (job.signal.aborted || lost.signal.aborted) return { outcome: 'lost: taken over or expired' };
    // Returning hands the job to pg-boss's complete, a no-op on the cancelled attempt; if the hand-back itself failed,
    // throwing lets pg-boss retry the job instead.
    if (o.stopping.aborted && (await handBack(o, batch, job).catch(() => false)))
      return { outcome: 'handed back: worker stopping' };
    o.log?.(`${batch.stage} ${batch.key} attempt ${job.retryCount + 1} failed: ${describe(e)}`);
    await noteFailedAttempt(batch, job, describe(e)).catch(() => {});
    throw e;
  }
}

/** A job pg-boss gave up on (dead letter queue): its batch is marked failed. */
export async function executeGaveUp(
  job: JobWithMetadata<BatchJobData>,
  o: ExecuteOptions,
): Promise<{ outcome: string }> {
  const outcome = await recordGaveUp(o, job);
  o.log?.(`${job.data.stage} batch ${job.data.batchId}: ${outcome}`);
  return { outcome };
}
