// Puts batches on their pg-boss queue inside the caller's transaction, so a batch row never exists without its job.
import { randomUUID } from 'node:crypto';
import type { JobInsert, PgBoss } from 'pg-boss';
import { bossDb, type Tx } from '../pool.ts';
import { DEAD_LETTER_QUEUE, queueName } from '../queues.ts';
import type { RunSettings } from '../settings.ts';
import type { BatchSpec } from '../types.ts';

export type BatchJobData = { batchId: string; runId: string; stage: string };

export const PLAN_KEY = '__plan__';
export const AFTER_KEY = '__after__';
export const isControlKey = (key: string) => key === PLAN_KEY || key === AFTER_KEY;

/**
 * pg-boss owns the job's life: its retries with backoff, its expiry, its heartbeat, and where it goes when it gives up.
 * A batch whose params name a longer `expireSeconds` (a long finishing step) gets that expiry.
 */
function jobOf(
  key: string,
  data: BatchJobData,
  id: string,
  s: RunSettings,
  params: Record<string, unknown> = {},
): JobInsert<BatchJobData> {
  const own = typeof params.expireSeconds === 'number' ? params.expireSeconds : 0;
  return {
    id,
    data,
    retryLimit: s.maxAttempts - 1,
    retryDelay: s.retryDelaySeconds,
    retryBackoff: true,
    retryDelayMax: s.retryDelayMaxSeconds,
    expireInSeconds: Math.max(s.expireSeconds, own),
    heartbeatSeconds: s.heartbeatSeconds,
    deadLetter: DEAD_LETTER_QUEUE,
    // Control jobs (planning, finishing a stage) go before the batches of another run's stage on the same queue.
    priority: isControlKey(key) ? 1 : 0,
  };
}

/** Inserts new batches (skipping keys the stage already has) with one job each; returns how many were new. */
export async function insertBatches(
  tx: Tx,
  boss: PgBoss,
  s: RunSettings,
  runId: string,
  stage: string,
  specs: BatchSpec[],
): Promise<{ inserted: number; items: number }> {
  if (specs.length === 0) return { inserted: 0, items: 0 };
  const jobIds = specs.map(() => randomUUID());
  const { rows } = await tx.query<{
    id: string;
    key: string;
    job_id: string;
    items: number;
    params: Record<string, unknown>;
  }>(
    `INSERT INTO run_batches (id, run_id, stage, key, params, items, job_id)
     SELECT gen_random_uuid()::text, $1, $2, t.key, t.params, t.items, t.job_id
     FROM unnest($3::text[], $4::jsonb[], $5::int[], $6::text[]) AS t(key, params, items, job_id)
     ON CONFLICT (run_id, stage, key) DO NOTHING
     RETURNING id, key, job_id, items, params`,
    [
      runId,
      stage,
      specs.map((b) => b.key),
      specs.map((b) => JSON.stringify(b.params)),
      specs.map((b) => b.items),
      jobIds,
    ],
  );
  if (rows.length)
    await boss.insert(
      queueName(stage),
      rows.map((r) => jobOf(r.key, { batchId: r.id, runId, stage }, r.job_id, s, r.params)),
      { db: bossDb(tx) },
    );
  return { inserted: rows.length, items: rows.reduce((n, r) => n + r.items, 0) };
}

/**
 * Gives existing batches fresh jobs (resume, retry-failed, a stopping worker's batch, a replaced pg-boss schema), with
 * every attempt ahead of them; the jobs they had are cancelled so they cannot run twice.
 */
export async function requeueBatches(
  tx: Tx,
  boss: PgBoss,
  s: RunSettings,
  batchIds: string[],
): Promise<number> {
  if (batchIds.length === 0) return 0;
  const { rows } = await tx.query<{
    id: string;
    run_id: string;
    stage: string;
    key: string;
    job_id: string;
    old_job: string | null;
    params: Record<string, unknown>;
  }>(
    `UPDATE run_batches b SET status = 'pending', job_id = gen_random_uuid()::text, worker_id = NULL, attempts = 0
     FROM (SELECT id, job_id AS old_job FROM run_batches WHERE id = ANY($1::text[]) FOR UPDATE) o
     WHERE b.id = o.id
     RETURNING b.id, b.run_id, b.stage, b.key, b.job_id, o.old_job, b.params`,
    [batchIds],
  );
  await cancelJobs(
    tx,
    boss,
    rows.map((r) => ({ stage: r.stage, jobId: r.old_job })),
  );
  for (const stage of new Set(rows.map((r) => r.stage)))
    await boss.insert(
      queueName(stage),
      rows
        .filter((r) => r.stage === stage)
        .map((r) => jobOf(r.key, { batchId: r.id, runId: r.run_id, stage }, r.job_id, s, r.params)),
      { db: bossDb(tx) },
    );
  return rows.length;
}

/** Cancels the pg-boss jobs of batches that will not run. */
export async function cancelJobs(
  tx: Tx,
  boss: PgBoss,
  jobs: { stage: string; jobId: string | null }[],
): Promise<void> {
  const byStage = new Map<string, string[]>();
  for (const j of jobs) if (j.jobId) byStage.set(j.stage, [...(byStage.get(j.stage) ?? []), j.jobId]);
  for (const [stage, ids] of byStage) await boss.cancel(queueName(stage), ids, { db: bossDb(tx) });
}
