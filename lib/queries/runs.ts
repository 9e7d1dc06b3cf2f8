// Pipeline runs as the Runs page and the CLI show them: per-stage progress with rate and ETA.
import { db } from '../db.ts';
import { finishingFigures, type FinishingFigures, type StageFinishing } from '../domain/stageFinishing.ts';

export type StageProgress = {
  stage: string;
  position: number;
  status: 'pending' | 'active' | 'done' | 'failed' | 'cancelled';
  total: number;
  done: number;
  failed: number;
  failuresByKind: Record<string, number>;
  lastError: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  batches: Record<'pending' | 'active' | 'done' | 'failed' | 'cancelled', number>;
  /** Items per second over the last minute while active, else over the stage's whole duration. */
  rate: number | null;
  /** Time left for the batches; null once they are all in (a finishing step has its own, below). */
  etaSeconds: number | null;
  /**
   * While the stage is active with its batches all in, or its finishing step has noted progress: that step, as it
   * last noted itself (`step`: null before its first note), with its figures.
   */
  finishing: (FinishingFigures & { step: StageFinishing | null }) | null;
};

export type RunView = {
  id: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  stages: StageProgress[];
  config: unknown;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  createdBy: string | null;
};

const RECENT_SECONDS = 60;

type BatchAgg = {
  run_id: string;
  stage: string;
  status: keyof StageProgress['batches'];
  n: number;
  recent_items: number;
};

/** Rows of run_batch_counts past which a load folds a run's deltas (each batch's status change appends two). */
const FOLD_ROWS = 1000;

/**
 * Batches per (run, stage, status) from the maintained counts (20261205222050_run_batch_counts), with the items an
 * active stage finished in the last minute (its rate). A load folds the deltas of its runs when they pile up; a fold
 * deletes only the rows it saw, so a batch finishing meanwhile is neither lost nor counted twice.
 */
async function batchCounts(runIds: string[]): Promise<BatchAgg[]> {
  const [counts, recent] = await Promise.all([
    db().$queryRaw<(BatchAgg & { rows: number })[]>`
      SELECT run_id, stage, status::text AS status, sum(n)::int AS n, 0 AS recent_items, sum(count(*)) OVER ()::int AS rows
      FROM quarry_internal.run_batch_counts WHERE run_id = ANY(${runIds}::text[]) GROUP BY 1, 2, 3`,
    // Batches finished in the last minute: a short range per (run, stage) of the (run, stage, status, finished_at)
    // index, which PostgreSQL walks stage by stage (skip scan).
    db().$queryRaw<{ run_id: string; stage: string; items: number }[]>`
      SELECT run_id, stage, COALESCE(sum(items), 0)::int AS items FROM run_batches
      WHERE run_id = ANY(${runIds}::text[]) AND status = 'done'
        AND finished_at > now() - make_interval(secs => ${RECENT_SECONDS}) AND key NOT LIKE '\\_\\_%'
      GROUP BY 1, 2`,
  ]);
  if ((counts[0]?.rows ?? 0) > FOLD_ROWS)
    await db().$executeRaw`
      WITH d AS (DELETE FROM quarry_internal.run_batch_counts WHERE run_id = ANY(${runIds}::text[]) RETURNING *)
      INSERT INTO quarry_internal.run_batch_counts (run_id, stage, status, n)
      SELECT run_id, stage, status, sum(n) FROM d GROUP BY 1, 2, 3 HAVING sum(n) <> 0`;
  return counts
    .filter((c) => c.n !== 0)
    .map(({ rows: _, ...c }) => ({
      ...c,
      recent_items:
        c.status === 'done'
          ? (recent.find((r) => r.run_id === c.run_id && r.stage === c.stage)?.items ?? 0)
          : 0,
    }));
}

async function stageProgress(runIds: string[]): Promise<Map<string, StageProgress[]>> {
  if (runIds.length === 0) return new Map();
  const [stages, aggs] = await Promise.all([
    db().runStage.findMany({
      where: { runId: { in: runIds } },
      orderBy: [{ runId: 'asc' }, { position: 'asc' }],
    }),
    batchCounts(runIds),
  ]);
  const now = Date.now();
  const out = new Map<string, StageProgress[]>();
  for (const s of stages) {
    const mine = aggs.filter((a) => a.run_id === s.runId && a.stage === s.stage);
    const batches = { pending: 0, active: 0, done: 0, failed: 0, cancelled: 0 };
    for (const a of mine) batches[a.status] = a.n;
    const recent = mine.reduce((n, a) => n + a.recent_items, 0);
    const elapsed = s.startedAt ? ((s.finishedAt?.getTime() ?? now) - s.startedAt.getTime()) / 1000 : 0;
    let rate: number | null = null;
    if (s.status === 'active' && elapsed > 0)
      rate = recent > 0 ? recent / Math.min(RECENT_SECONDS, elapsed) : s.done / elapsed;
    else if (elapsed > 0 && s.done > 0) rate = s.done / elapsed;
    const remaining = Math.max(0, s.total - s.done);
    const step = (s.finishing ?? null) as StageFinishing | null;
    const finishing =
      s.status === 'active' && (step || (s.total > 0 && s.done + s.failed >= s.total))
        ? { step, ...(step ? finishingFigures(step) : { percent: null, rate: null, etaSeconds: null }) }
        : null;
    const list = out.get(s.runId) ?? [];
    list.push({
      stage: s.stage,
      position: s.position,
      status: s.status,
      total: s.total,
      done: s.done,
      failed: s.failed,
      failuresByKind: (s.failuresByKind ?? {}) as Record<string, number>,
      lastError: s.lastError,
      startedAt: s.startedAt?.toISOString() ?? null,
      finishedAt: s.finishedAt?.toISOString() ?? null,
      batches,
      rate,
      etaSeconds: s.status === 'active' && !finishing && rate && rate > 0 ? remaining / rate : null,
      finishing,
    });
    out.set(s.runId, list);
  }
  return out;
}

export async function listRuns(paging: {
  page: number;
  pageSize: number;
}): Promise<{ data: RunView[]; total: number; page: number; pageSize: number }> {
  const [runs, total] = await Promise.all([
    db().pipelineRun.findMany({
      orderBy: { createdAt: 'desc' },
      skip: (paging.page - 1) * paging.pageSize,
      take: paging.pageSize,
    }),
    db().pipelineRun.count(),
  ]);
  const [progress, users] = await Promise.all([
    stageProgress(runs.map((r) => r.id)),
    db().user.findMany({
      where: { id: { in: runs.map((r) => r.createdById).filter((x): x is string => !!x) } },
      select: { id: true, email: true },
    }),
  ]);
  const email = new Map(users.map((u) => [u.id, u.email]));
  return {
    data: runs.map((r) => ({
      id: r.id,
      status: r.status,
      stages: progress.get(r.id) ?? [],
      config: r.config,
      error: r.error,
      createdAt: r.createdAt.toISOString(),
      startedAt: r.startedAt?.toISOString() ?? null,
      finishedAt: r.finishedAt?.toISOString() ?? null,
      createdBy: r.createdById ? (email.get(r.createdById) ?? null) : null,
    })),
    total,
    page: paging.page,
    pageSize: paging.pageSize,
  };
}

export async function getRun(id: string): Promise<RunView | null> {
  const r = await db().pipelineRun.findUnique({ where: { id } });
  if (!r) return null;
  const progress = await stageProgress([id]);
  const by = r.createdById
    ? await db().user.findUnique({ where: { id: r.createdById }, select: { email: true } })
    : null;
  return {
    id: r.id,
    status: r.status,
    stages: progress.get(id) ?? [],
    config: r.config,
    error: r.error,
    createdAt: r.createdAt.toISOString(),
    startedAt: r.startedAt?.toISOString() ?? null,
    finishedAt: r.finishedAt?.toISOString() ?? null,
    createdBy: by?.email ?? null,
  };
}

export type FailedBatch = {
  stage: string;
  key: string;
  attempts: number;
  error: string | null;
  finishedAt: string | null;
};

/** The latest failed batches of a run, for the run's detail. */
export async function listFailedBatches(runId: string, take = 20): Promise<FailedBatch[]> {
  const rows = await db().runBatch.findMany({
    where: { runId, status: 'failed' },
    orderBy: { finishedAt: 'desc' },
    take,
  });
  return rows.map((b) => ({
    stage: b.stage,
    key: b.key,
    attempts: b.attempts,
    error: b.error,
    finishedAt: b.finishedAt?.toISOString() ?? null,
  }));
}

/** Whether any run is queued or running (the CLI waits for, and the page polls while, one is). */
export async function hasActiveRuns(): Promise<boolean> {
  return (await db().pipelineRun.count({ where: { status: { in: ['queued', 'running'] } } })) > 0;
}

/** Worker processes connected to this database (pg-boss names their connections), so `quarry run` knows whether to start one. */
export async function countWorkerConnections(appName: string): Promise<number> {
  const [r] = await db().$queryRaw<{ n: number }[]>`
    SELECT count(DISTINCT pid)::int AS n FROM pg_stat_activity WHERE application_name = ${appName} AND datname = current_database()`;
  return r.n;
}

/** Of these photos, the ones uploaded in [from, to] (a run's date range narrows every photo stage to it). */
export async function photosUploadedBetween(ids: string[], from: Date, to: Date): Promise<Set<string>> {
  if (ids.length === 0) return new Set();
  const rows = await db().$queryRaw<{ id: string }[]>`
    SELECT id FROM photos WHERE id = ANY(${ids}::text[]) AND date_upload BETWEEN ${from} AND ${to}`;
  return new Set(rows.map((r) => r.id));
}

/** Of these accounts, the ones with a photo uploaded in [from, to]. */
export async function accountsWithUploadsBetween(
  nsids: string[],
  from: Date,
  to: Date,
): Promise<Set<string>> {
  if (nsids.length === 0) return new Set();
  const rows = await db().$queryRaw<{ nsid: string }[]>`
    SELECT DISTINCT owner_nsid AS nsid FROM photos WHERE owner_nsid = ANY(${nsids}::text[]) AND date_upload BETWEEN ${from} AND ${to}`;
  return new Set(rows.map((r) => r.nsid));
}

/** Items a run's stage has completed so far (0 when the stage had nothing to do). */
export async function stageItemsDone(runId: string, stage: string): Promise<number> {
  const row = await db().runStage.findUnique({
    where: { runId_stage: { runId, stage } },
    select: { done: true },
  });
  return row?.done ?? 0;
}
