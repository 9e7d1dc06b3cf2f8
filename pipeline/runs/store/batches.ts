// What the Runs page shows of a batch, kept in step with its pg-boss job: each change is written in the transaction
// that settles the job's attempt (pg-boss's complete/cancel, fenced to that attempt), so it happens once or not at all.
import type { Job, JobWithMetadata, PgBoss } from 'pg-boss';
import { bossDb, withTx, type Tx } from '../pool.ts';
import { queueName } from '../queues.ts';
import type { RunSettings } from '../settings.ts';
import type { BatchResult, StageRegistry } from '../types.ts';
import { isControlKey, requeueBatches, type BatchJobData } from './jobs.ts';
import { addToStage, advanceIfStageDone, lockRun, setRun, type RunRow } from './stages.ts';

export type BatchRow = {
  id: string;
  run_id: string;
  stage: string;
  key: string;
  params: Record<string, unknown>;
  status: string;
  items: number;
  job_id: string | null;
};

/** One attempt of a batch's job, as pg-boss handed it to this worker. */
export type Attempt = Pick<Job<BatchJobData>, 'id' | 'retryCount'>;

export type Claim = { kind: 'run'; batch: BatchRow; config: unknown } | { kind: 'skip'; reason: string };

export type Deps = { boss: PgBoss; settings: RunSettings; registry: StageRegistry };

const attemptOf = (job: Attempt): Attempt => ({ id: job.id, retryCount: job.retryCount });

/** The message pg-boss stored for an attempt that failed (a thrown error, or its own "job heartbeat timeout"). */
export function failureMessage(output: unknown): string | null {
  const o = output as { message?: unknown; value?: { message?: unknown } } | null | undefined;
  const m = o?.message ?? o?.value?.message;
  return typeof m === 'string' ? m : null;
}

async function lockBatch(tx: Tx, batchId: string): Promise<BatchRow | null> {
  const { rows } = await tx.query<BatchRow>(
    'SELECT id, run_id, stage, key, params, status, items, job_id FROM run_batches WHERE id = $1 FOR UPDATE',
    [batchId],
  );
  return rows[0] ?? null;
}

/** Takes the batch for this attempt, unless it is finished, superseded by a newer job, or its run is not running. */
export async function claimBatch(
  d: Deps,
  job: JobWithMetadata<BatchJobData>,
  workerId: string,
): Promise<Claim> {
  return withTx(async (tx) => {
    const run = await lockRun(tx, job.data.runId);
    const b = await lockBatch(tx, job.data.batchId);
    if (!run || !b) return { kind: 'skip', reason: 'run deleted' };
    if (b.job_id !== job.id) return { kind: 'skip', reason: 'superseded by a newer job' };
    if (b.status !== 'pending' && b.status !== 'active')
      return { kind: 'skip', reason: `batch is ${b.status}` };
    if (run.status !== 'running' && run.status !== 'queued')
      return { kind: 'skip', reason: `run is ${run.status}` };
    if (run.status === 'queued') await setRun(tx, run.id, 'running');
    await tx.query(
      `UPDATE run_batches SET status = 'active', attempts = $2, worker_id = $3, started_at = COALESCE(started_at, now())
       WHERE id = $1`,
      [b.id, job.retryCount + 1, workerId],
    );
    // A retry: say why the previous attempt ended (its worker may have died without a word).
    const why = job.retryCount > 0 ? failureMessage(job.output) : null;
    if (why)
      await addToStage(tx, b.run_id, b.stage, {
        done: 0,
        failed: 0,
        lastError: `${b.key}: attempt ${job.retryCount} ended (${why}); attempt ${job.retryCount + 1} started`,
      });
    return { kind: 'run', batch: b, config: run.config };
  });
}

/** Records a finished batch once: only if pg-boss completes this very attempt in the same transaction. */
export async function completeBatch(d: Deps, b: BatchRow, job: Attempt, r: BatchResult): Promise<boolean> {
  return withTx(async (tx) => {
    const run = await lockRun(tx, b.run_id);
    if (!run) return false;
    const { affected } = (await d.boss.complete(
      queueName(b.stage),
      attemptOf(job),
      { ok: r.ok, failed: r.failed },
      { db: bossDb(tx) },
    )) as { affected: number };
    if (!affected) return false;
    await tx.query(
      `UPDATE run_batches SET status = 'done', ok_count = $2, fail_count = $3, error = NULL, finished_at = now() WHERE id = $1`,
      [b.id, r.ok, r.failed],
    );
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

/** A thrown attempt, for the page: pg-boss then retries the job after its backoff or, at the last attempt, gives up. */
export async function noteFailedAttempt(b: BatchRow, job: Attempt, message: string): Promise<void> {
  await withTx(async (tx) => {
    await lockRun(tx, b.run_id);
    const cur = await lockBatch(tx, b.id);
    if (!cur || cur.job_id !== job.id || cur.status !== 'active') return;
    await tx.query(`UPDATE run_batches SET status = 'pending', error = $2, worker_id = NULL WHERE id = $1`, [
      b.id,
      message,
    ]);
    await addToStage(tx, b.run_id, b.stage, { done: 0, failed: 0, lastError: `${b.key}: ${message}` });
  });
}

/**
 * A stopping worker hands its batch back without spending an attempt: the attempt's job is cancelled and the batch
 * gets a fresh one, ready at once. false when the attempt was no longer this worker's.
 */
export async function handBack(d: Deps, b: BatchRow, job: Attempt): Promise<boolean> {
  return withTx(async (tx) => {
    await lockRun(tx, b.run_id);
    const { affected } = (await d.boss.cancel(queueName(b.stage), attemptOf(job), { db: bossDb(tx) })) as {
      affected: number;
    };
    if (!affected) return false;
    await requeueBatches(tx, d.boss, d.settings, [b.id]);
    return true;
  });
}

/** A batch whose run stopped while it was being planned goes back to pending (resume plans it again). */
export async function releaseBatch(b: BatchRow, job: Attempt): Promise<void> {
  await withTx(async (tx) => {
    await lockRun(tx, b.run_id);
    await tx.query(
      `UPDATE run_batches SET status = 'pending', worker_id = NULL WHERE id = $1 AND job_id = $2 AND status = 'active'`,
      [b.id, job.id],
    );
  });
}

/**
 * pg-boss gave up on a batch's job (its last attempt threw, expired or lost its worker) and copied it to the dead letter
 * queue: the batch's items count as failed (kind `batch_error`) and the stage may end; retry-failed picks it up again.
 */
export async function recordGaveUp(d: Deps, job: JobWithMetadata<BatchJobData>): Promise<string> {
  return withTx(async (tx) => {
    const run = await lockRun(tx, job.data.runId);
    const b = await lockBatch(tx, job.data.batchId);
    if (!run || !b) return 'run deleted';
    if (b.job_id !== job.sourceId) return 'superseded by a newer job';
    if (b.status !== 'pending' && b.status !== 'active') return `batch is ${b.status}`;
    const attempts = (job.sourceRetryCount ?? 0) + 1;
    // The last attempt's error; the attempts are shown beside it (listFailedBatches).
    const message = failureMessage(job.sourceOutput) ?? `gave up after ${attempts} attempts`;
    await markFailed(tx, d, run, b, message, attempts);
    return `failed: ${message}`;
  });
}

async function markFailed(tx: Tx, d: Deps, run: RunRow, b: BatchRow, message: string, attempts: number) {
  await tx.query(
    `UPDATE run_batches SET status = 'failed', error = $2, attempts = $3, finished_at = now(), worker_id = NULL WHERE id = $1`,
    [b.id, message, attempts],
  );
  await addToStage(tx, b.run_id, b.stage, {
    done: b.items,
    failed: b.items,
    failuresByKind: b.items ? { batch_error: b.items } : {},
    lastError: message,
  });
  await advanceIfStageDone(tx, d.boss, d.settings, d.registry, run, b.stage);
}
