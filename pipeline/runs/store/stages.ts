// Run and stage rows under lock: progress counters, and advancing a run when a stage's last batch ends.
import type { StageFinishing } from '../../../lib/domain/stageFinishing.ts';
import type { PgBoss } from 'pg-boss';
import { runsPool, type Tx } from '../pool.ts';
import type { RunSettings } from '../settings.ts';
import type { StageRegistry } from '../types.ts';
import { AFTER_KEY, insertBatches, PLAN_KEY } from './jobs.ts';

export type RunRow = {
  id: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  stages: string[];
  config: unknown;
};

/**
 * Every transaction that changes a run's state locks its row first: one simple order (run, then stage, then
 * batches) so two workers finishing batches, a cancel and a takeover can never interleave or deadlock.
 */
export async function lockRun(tx: Tx, runId: string): Promise<RunRow | null> {
  const { rows } = await tx.query<RunRow>(
    'SELECT id, status, stages, config FROM pipeline_runs WHERE id = $1 FOR UPDATE',
    [runId],
  );
  return rows[0] ?? null;
}

export type StageDelta = {
  done: number;
  failed: number;
  failuresByKind?: Record<string, number>;
  lastError?: string | null;
};

/** Atomic increments (negative to take back a failed batch that is retried). */
export async function addToStage(tx: Tx, runId: string, stage: string, d: StageDelta): Promise<void> {
  await tx.query(
    `UPDATE run_stages SET done = done + $3, failed = failed + $4,
       failures_by_kind = (SELECT COALESCE(jsonb_object_agg(k, n), '{}'::jsonb) FROM (
         SELECT k, sum(v::numeric)::int AS n FROM (
           SELECT * FROM jsonb_each_text(failures_by_kind) UNION ALL SELECT * FROM jsonb_each_text($5::jsonb)
         ) e(k, v) GROUP BY k HAVING sum(v::numeric) <> 0) s),
       last_error = COALESCE($6, last_error), updated_at = now()
     WHERE run_id = $1 AND stage = $2`,
    [runId, stage, d.done, d.failed, JSON.stringify(d.failuresByKind ?? {}), d.lastError ?? null],
  );
}

export async function setStage(
  tx: Tx,
  runId: string,
  stage: string,
  status: string,
  extra: { total?: number; started?: boolean; finished?: boolean } = {},
): Promise<void> {
  await tx.query(
    `UPDATE run_stages SET status = $3::"BatchStatus", total = COALESCE($4, total),
       started_at = CASE WHEN $5 THEN COALESCE(started_at, now()) ELSE started_at END,
       finished_at = CASE WHEN $6 THEN now() ELSE NULL END, updated_at = now()
     WHERE run_id = $1 AND stage = $2`,
    [runId, stage, status, extra.total ?? null, extra.started ?? false, extra.finished ?? false],
  );
}

export async function setRun(
  tx: Tx,
  runId: string,
  status: RunRow['status'],
  error: string | null = null,
): Promise<void> {
  const ended = status === 'completed' || status === 'failed' || status === 'cancelled';
  await tx.query(
    `UPDATE pipeline_runs SET status = $2::"RunStatus", error = $3,
       started_at = CASE WHEN $2::text = 'running' THEN COALESCE(started_at, now()) ELSE started_at END,
       finished_at = CASE WHEN $4 THEN now() ELSE NULL END, updated_at = now()
     WHERE id = $1`,
    [runId, status, error, ended],
  );
}

/**
 * A line on the stage for the Runs page and the CLI (they show it as the stage's last note), with the finishing step's
 * figures when it is one of its progress notes (any other note clears them); no lock: it only informs.
 */
export async function noteStage(
  runId: string,
  stage: string,
  message: string,
  finishing: StageFinishing | null = null,
): Promise<void> {
  await runsPool().query(
    'UPDATE run_stages SET last_error = $3, finishing = $4::jsonb, updated_at = now() WHERE run_id = $1 AND stage = $2',
    [runId, stage, message.slice(0, 2000), finishing ? JSON.stringify(finishing) : null],
  );
}

/** Creates the job that plans `stage` (a batch like any other: retried, heartbeated, taken over). */
export async function startStage(
  tx: Tx,
  boss: PgBoss,
  s: RunSettings,
  runId: string,
  stage: string,
): Promise<void> {
  await insertBatches(tx, boss, s, runId, stage, [{ key: PLAN_KEY, params: {}, items: 0 }]);
  await setStage(tx, runId, stage, 'active', { started: true });
}

type Tally = {
  outstanding: number;
  failed: number;
  has_after: boolean;
  planned: boolean;
  last_error: string | null;
};

/**
 * Called (run locked) whenever a batch of `stage` ends: when none is left, runs the stage's `after` job,
 * then marks the stage done and plans the next one, or ends the run. Failed batches fail the run, which
 * retry-failed can pick up again.
 */
export async function advanceIfStageDone(
  tx: Tx,
  boss: PgBoss,
  s: RunSettings,
  registry: StageRegistry,
  run: RunRow,
  stage: string,
): Promise<void> {
  if (run.status !== 'running') return;
  const {
    rows: [t],
  } = await tx.query<Tally>(
    `SELECT count(*) FILTER (WHERE status IN ('pending', 'active'))::int AS outstanding,
       count(*) FILTER (WHERE status = 'failed')::int AS failed,
       COALESCE(bool_or(key = $3), false) AS has_after,
       COALESCE(bool_or(key = $4 AND status = 'done'), false) AS planned,
       (array_agg(error ORDER BY finished_at DESC NULLS LAST) FILTER (WHERE status = 'failed'))[1] AS last_error
     FROM run_batches WHERE run_id = $1 AND stage = $2`,
    [run.id, stage, AFTER_KEY, PLAN_KEY],
  );
  if (t.outstanding > 0) return;
  if (t.failed > 0) {
    await setStage(tx, run.id, stage, 'failed', { finished: true });
    await setRun(
      tx,
      run.id,
      'failed',
      `${stage}: ${t.failed} batch${t.failed === 1 ? '' : 'es'} failed${t.last_error ? ` (${t.last_error})` : ''}`,
    );
    return;
  }
  if (!t.planned) return;
  if (registry.get(stage)?.after && !t.has_after) {
    // A finishing step may outlast RUN_EXPIRE_SECONDS (the clip stage's waits for a 10M index build): its expiry goes
    // with the batch, so a resumed or handed-back finishing job keeps it.
    const expireSeconds = registry.get(stage)?.afterExpireSeconds;
    await insertBatches(tx, boss, s, run.id, stage, [
      { key: AFTER_KEY, params: expireSeconds ? { expireSeconds } : {}, items: 0 },
    ]);
    return;
  }
  await setStage(tx, run.id, stage, 'done', { finished: true });
  const next = run.stages[run.stages.indexOf(stage) + 1];
  if (next) await startStage(tx, boss, s, run.id, next);
  else await setRun(tx, run.id, 'completed');
}
