// A batch's life under a lease: claim (attempt n), heartbeat, complete or fail; a stale lease is taken over.
import type PgBoss from 'pg-boss';
import { runsPool, withTx, type Tx } from '../pool.ts';
import type { RunSettings } from '../settings.ts';
import type { BatchResult, StageRegistry } from '../types.ts';
import { isControlKey, requeueBatches } from './jobs.ts';
import { addToStage, advanceIfStageDone, lockRun, setRun } from './stages.ts';

export type BatchRow = {
  id: string;
  run_id: string;
  stage: string;
  key: string;
  params: Record<string, unknown>;
  status: string;
  attempts: number;
  items: number;
  job_id: string | null;
};

export type Claim =
  | { kind: 'run'; batch: BatchRow; attempt: number; config: unknown }
  | { kind: 'skip'; reason: string };

export type Deps = { boss: PgBoss; settings: RunSettings; registry: StageRegistry };

async function lockBatch(tx: Tx, batchId: string): Promise<BatchRow | null> {
  const { rows } = await tx.query<BatchRow>(
    'SELECT id, run_id, stage, key, params, status, attempts, items, job_id FROM run_batches WHERE id = $1 FOR UPDATE',
    [batchId],
  );
  return rows[0] ?? null;
}

/** Records a batch's final failure: its items count as failed (kind `batch_error`) and the stage may end. */
async function markFailed(
  tx: Tx,
  d: Deps,
  run: NonNullable<Awaited<ReturnType<typeof lockRun>>>,
  b: BatchRow,
  message: string,
): Promise<void> {
  await tx.query(
    `UPDATE run_batches SET status = 'failed', error = $2, finished_at = now(), worker_id = NULL WHERE id = $1`,
    [b.id, message],
  );
  await addToStage(tx, b.run_id, b.stage, {
    done: b.items,
    failed: b.items,
    failuresByKind: b.items ? { batch_error: b.items } : {},
    lastError: message,
  });
  await advanceIfStageDone(tx, d.boss, d.settings, d.registry, run, b.stage);
}

/** Takes the batch for this job, unless it is finished, superseded by a newer job, or its run is not running. */
export async function claimBatch(d: Deps, batchId: string, jobId: string, workerId: string): Promise<Claim> {
  return withTx(async (tx) => {
    const {
      rows: [ref],
    } = await tx.query<{ run_id: string }>('SELECT run_id FROM run_batches WHERE id = $1', [batchId]);
    if (!ref) return { kind: 'skip', reason: 'batch deleted' };
    const run = await lockRun(tx, ref.run_id);
    const b = await lockBatch(tx, batchId);
    if (!run || !b) return { kind: 'skip', reason: 'run deleted' };
    if (b.job_id !== jobId) return { kind: 'skip', reason: 'superseded by a newer job' };
    if (b.status !== 'pending' && b.status !== 'active')
      return { kind: 'skip', reason: `batch is ${b.status}` };
    if (run.status !== 'running' && run.status !== 'queued')
      return { kind: 'skip', reason: `run is ${run.status}` };
    if (b.attempts >= d.settings.maxAttempts) {
      await markFailed(tx, d, run, b, `gave up after ${b.attempts} attempts`);
      return { kind: 'skip', reason: 'out of attempts' };
    }
    if (run.status === 'queued') await setRun(tx, run.id, 'running');
    const {
      rows: [c],
    } = await tx.query<{ attempts: number }>(
      `UPDATE run_batches SET status = 'active', attempts = attempts + 1, worker_id = $2, heartbeat_at = now(),
         started_at = COALESCE(started_at, now()) WHERE id = $1 RETURNING attempts`,
      [batchId, workerId],
    );
    return { kind: 'run', batch: b, attempt: c.attempts, config: run.config };
  });
}

/** false when the batch's lease has passed to another attempt (this worker was presumed dead). */
export async function heartbeat(batchId: string, attempt: number): Promise<boolean> {
  const { rowCount } = await runsPool().query(
    `UPDATE run_batches SET heartbeat_at = now() WHERE id = $1 AND attempts = $2 AND status = 'active'`,
    [batchId, attempt],
  );
  return (rowCount ?? 0) > 0;
}

/** Records a finished batch once (only the current lease counts), adds it to the stage's progress, and advances. */
export async function completeBatch(d: Deps, b: BatchRow, attempt: number, r: BatchResult): Promise<boolean> {
  return withTx(async (tx) => {
    const run = await lockRun(tx, b.run_id);
    if (!run) return false;
    const { rowCount } = await tx.query(
      `UPDATE run_batches SET status = 'done', ok_count = $3, fail_count = $4, error = NULL, finished_at = now(), heartbeat_at = now()
       WHERE id = $1 AND attempts = $2 AND status = 'active'`,
      [b.id, attempt, r.ok, r.failed],
    );
    if (!rowCount) return false;
    if (!isControlKey(b.key))
      await addToStage(tx, b.run_id, b.stage, {
        done: b.items,
        failed: r.failed,
        failuresByKind: r.failuresByKind,
      });
    await advanceIfStageDone(tx, d.boss, d.settings, d.registry, run, b.stage);
    return true;
  });
}

/** A thrown batch: back to pending for pg-boss's retry, or failed for good after the last attempt. */
export async function failAttempt(
  d: Deps,
  b: BatchRow,
  attempt: number,
  message: string,
  final: boolean,
): Promise<void> {
  await withTx(async (tx) => {
    const run = await lockRun(tx, b.run_id);
    const cur = await lockBatch(tx, b.id);
    if (!run || !cur || cur.attempts !== attempt || cur.status !== 'active') return;
    if (final) return markFailed(tx, d, run, cur, message);
    await tx.query(`UPDATE run_batches SET status = 'pending', error = $2, worker_id = NULL WHERE id = $1`, [
      b.id,
      message,
    ]);
    await addToStage(tx, b.run_id, b.stage, { done: 0, failed: 0, lastError: `${b.key}: ${message}` });
  });
}

/** A worker shutting down hands its batch back without counting the attempt. */
export async function releaseBatch(b: BatchRow, attempt: number): Promise<void> {
  await withTx(async (tx) => {
    await lockRun(tx, b.run_id);
    await tx.query(
      `UPDATE run_batches SET status = 'pending', attempts = attempts - 1, worker_id = NULL WHERE id = $1 AND attempts = $2 AND status = 'active'`,
      [b.id, attempt],
    );
  });
}

/** Batches whose worker stopped beating get a fresh job (with backoff); returns how many were taken over. */
export async function reapStale(d: Deps): Promise<number> {
  const { rows } = await runsPool().query<{ id: string; run_id: string }>(
    `SELECT id, run_id FROM run_batches WHERE status = 'active' AND heartbeat_at < now() - make_interval(secs => $1::float8) LIMIT 200`,
    [d.settings.staleSeconds],
  );
  let n = 0;
  for (const runId of new Set(rows.map((r) => r.run_id))) {
    n += await withTx(async (tx) => {
      await lockRun(tx, runId);
      const { rows: stale } = await tx.query<{
        id: string;
        attempts: number;
        stage: string;
        key: string;
        error: string;
      }>(
        `UPDATE run_batches SET error = 'worker lost: no heartbeat for ' || $2::float8::text || ' s'
         WHERE run_id = $1 AND status = 'active' AND heartbeat_at < now() - make_interval(secs => $2::float8) RETURNING id, attempts, stage, key, error`,
        [runId, d.settings.staleSeconds],
      );
      for (const s of stale)
        await addToStage(tx, runId, s.stage, {
          done: 0,
          failed: 0,
          lastError: `${s.key}: ${s.error}, taken over`,
        });
      const maxAttempts = Math.max(0, ...stale.map((s) => s.attempts));
      return requeueBatches(
        tx,
        d.boss,
        d.settings,
        stale.map((s) => s.id),
        { delaySeconds: backoffSeconds(d.settings, maxAttempts) },
      );
    });
  }
  return n;
}

/** pg-boss's exponential backoff, reproduced for jobs we re-create ourselves. */
export function backoffSeconds(s: RunSettings, attempts: number): number {
  return Math.min(3600, s.retryDelaySeconds * 2 ** Math.max(0, attempts - 1));
}
