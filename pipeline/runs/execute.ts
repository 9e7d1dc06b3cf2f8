// Runs one batch job: claim its lease, beat while it runs, and record the outcome exactly once.
import type PgBoss from 'pg-boss';
import { refreshFlagScores } from '../../lib/queries/flagScores.ts';
import { refreshInclusionSummary } from '../../lib/queries/inclusionSummary.ts';
import type { ResolvedRunConfig } from './config.ts';
import {
  claimBatch,
  completeBatch,
  failAttempt,
  heartbeat,
  releaseBatch,
  type Deps,
} from './store/batches.ts';
import { AFTER_KEY, PLAN_KEY, type BatchJobData } from './store/jobs.ts';
import { commitPlan } from './store/plan.ts';
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

export async function executeJob(
  job: PgBoss.Job<BatchJobData>,
  o: ExecuteOptions,
): Promise<{ outcome: string }> {
  const claim = await claimBatch(o, job.data.batchId, job.id, o.workerId);
  if (claim.kind === 'skip') return { outcome: `skipped: ${claim.reason}` };
  const { batch, attempt } = claim;
  const run: RunInfo = { id: batch.run_id, config: claim.config as ResolvedRunConfig };
  const adapter = o.adapters.get(batch.stage);
  const controller = new AbortController();
  const onStop = () => controller.abort(o.stopping.reason);
  o.stopping.addEventListener('abort', onStop, { once: true });
  const beat = async () => {
    if (!(await heartbeat(batch.id, attempt))) controller.abort(new LeaseLostError());
  };
  const timer = setInterval(() => {
    beat().catch((e: unknown) => o.log?.(`heartbeat ${batch.id}: ${describe(e)}`));
  }, o.settings.heartbeatSeconds * 1000);
  const ctx: BatchContext = { runId: run.id, config: run.config, signal: controller.signal, heartbeat: beat };
  try {
    if (!adapter) throw new Error(`Stage "${batch.stage}" is not available in this worker`);
    if (batch.key === PLAN_KEY) {
      let note: string | null = null;
      const r = await commitPlan(
        o,
        batch,
        attempt,
        adapter.plan(run, {
          note: (m) => {
            note = m;
          },
        }),
        () => note,
      );
      if (r.status === 'stopped') await releaseBatch(batch, attempt);
      return {
        outcome: r.status === 'planned' ? `planned ${r.batches} batches, ${r.items} items` : r.status,
      };
    }
    let result: BatchResult;
    if (batch.key === AFTER_KEY) result = (await adapter.after?.(run, ctx)) ?? { ok: 0, failed: 0 };
    else result = await adapter.runBatch({ key: batch.key, params: batch.params }, ctx);
    if (controller.signal.aborted) throw controller.signal.reason;
    const recorded = await completeBatch(o, batch, attempt, result);
    // Check results changed accounts' flag scores; recompute those now that the batch is committed.
    await refreshFlagScores().catch((e: unknown) =>
      o.log?.(`flag scores after ${batch.stage} ${batch.key}: ${describe(e)}`),
    );
    // And the dashboard's inclusion summary, so it stays current through a run instead of catching up on a page load.
    await refreshInclusionSummary().catch((e: unknown) =>
      o.log?.(`inclusion summary after ${batch.stage} ${batch.key}: ${describe(e)}`),
    );
    return {
      outcome: recorded
        ? `done: ${result.ok} ok, ${result.failed} failed`
        : 'lost: completed by another attempt',
    };
  } catch (e) {
    if (controller.signal.reason instanceof LeaseLostError) return { outcome: 'lost: taken over' };
    if (o.stopping.aborted) {
      await releaseBatch(batch, attempt).catch(() => {});
      throw e;
    }
    const final = attempt >= o.settings.maxAttempts;
    o.log?.(
      `${batch.stage} ${batch.key} attempt ${attempt} failed${final ? ' for good' : ''}: ${describe(e)}`,
    );
    await failAttempt(o, batch, attempt, describe(e), final);
    throw e;
  } finally {
    clearInterval(timer);
    o.stopping.removeEventListener('abort', onStop);
  }
}
