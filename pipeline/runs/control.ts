// What an admin (browser or CLI) does to runs: start one, cancel it, resume it, retry its failed batches.
import { randomUUID } from 'node:crypto';
import { BadRequestError, ConflictError, NotFoundError } from '../../lib/errors.ts';
import { ensureQueues, getBoss } from './boss.ts';
import { settings, thresholdDefaults } from '../../lib/settings.ts';
import {
  localRunInputSchema,
  resolveRunConfig,
  runInputSchema,
  type ResolveDefaults,
  type ResolvedRunConfig,
  type RunInput,
} from './config.ts';
import { withTx } from './pool.ts';
import { runVersions } from './versions.ts';
import { runSettings, type RunSettings } from './settings.ts';
import type { Deps } from './store/batches.ts';
import { cancelJobs, requeueBatches } from './store/jobs.ts';
import { advanceIfStageDone, lockRun, setRun, setStage, startStage } from './store/stages.ts';
import type { StageRegistry } from './types.ts';

/**
 * `defaults` fill what a request leaves out; by default the settings' licenses and thresholds (lib/settings.ts), read
 * when the run is created. `local`: the request comes from this machine's command line and may name an export folder.
 */
export type ControlOptions = {
  registry: StageRegistry;
  settings?: RunSettings;
  defaults?: Partial<ResolveDefaults>;
  local?: boolean;
};

async function deps(o: Pick<ControlOptions, 'registry' | 'settings'>): Promise<Deps> {
  const boss = await getBoss();
  await ensureQueues(o.registry.keys());
  return { boss, settings: o.settings ?? runSettings(), registry: o.registry };
}

/** Validates the request (zod; unknown stages refused), stores the resolved configuration, queues the first stage. */
export async function createRun(
  input: RunInput,
  createdById: string | null,
  o: ControlOptions,
): Promise<{ id: string; config: ResolvedRunConfig }> {
  const parsed = (o.local ? localRunInputSchema : runInputSchema).parse(input);
  const defaults: ResolveDefaults = {
    licenses: settings.FLICKR_LICENSES.map(Number),
    thresholds: thresholdDefaults(),
    ...o.defaults,
  };
  const config = resolveRunConfig(parsed, [...o.registry.keys()], defaults);
  if (!defaults.versions) config.versions = await runVersions(config);
  const problems = config.stages.map((s) => o.registry.get(s)?.preflight?.()).filter((p): p is string => !!p);
  if (problems.length) throw new BadRequestError(problems.join('; '));
  const d = await deps(o);
  const id = randomUUID();
  await withTx(async (tx) => {
    await tx.query(
      `INSERT INTO pipeline_runs (id, stages, config, status, created_by_id, updated_at) VALUES ($1, $2, $3, 'queued', $4, now())`,
      [id, config.stages, JSON.stringify(config), createdById],
    );
    await tx.query(
      `INSERT INTO run_stages (id, run_id, stage, position, updated_at)
       SELECT gen_random_uuid()::text, $1, s, p::int - 1, now() FROM unnest($2::text[]) WITH ORDINALITY AS t(s, p)`,
      [id, config.stages],
    );
    await startStage(tx, d.boss, d.settings, id, config.stages[0]);
  });
  return { id, config };
}

/** Stops the run at the next batch boundary: queued batches are cancelled, running ones finish and are counted. */
export async function cancelRun(
  runId: string,
  o: Pick<ControlOptions, 'registry' | 'settings'>,
): Promise<void> {
  const d = await deps(o);
  await withTx(async (tx) => {
    const run = await lockRun(tx, runId);
    if (!run) throw new NotFoundError('Run not found');
    if (run.status !== 'queued' && run.status !== 'running')
      throw new ConflictError(`The run is already ${run.status}`);
    const { rows } = await tx.query<{ stage: string; job_id: string | null }>(
      `UPDATE run_batches SET status = 'cancelled' WHERE run_id = $1 AND status = 'pending' RETURNING stage, job_id`,
      [runId],
    );
    await cancelJobs(
      tx,
      d.boss,
      rows.map((r) => ({ stage: r.stage, jobId: r.job_id })),
    );
    await tx.query(
      `UPDATE run_stages SET status = 'cancelled', updated_at = now() WHERE run_id = $1 AND status IN ('pending', 'active')`,
      [runId],
    );
    await setRun(tx, runId, 'cancelled', 'Cancelled');
  });
}

/** Requeues the current stage's unfinished batches (`retryFailed` also its failed ones) and carries on. */
async function restart(
  runId: string,
  o: Pick<ControlOptions, 'registry' | 'settings'>,
  mode: 'resume' | 'retry',
): Promise<void> {
  const d = await deps(o);
  await withTx(async (tx) => {
    const run = await lockRun(tx, runId);
    if (!run) throw new NotFoundError('Run not found');
    const allowed = mode === 'resume' ? ['cancelled', 'failed'] : ['failed', 'running'];
    if (!allowed.includes(run.status))
      throw new ConflictError(`A ${run.status} run cannot be ${mode === 'resume' ? 'resumed' : 'retried'}`);
    const { rows: stages } = await tx.query<{ stage: string; status: string; has_batches: boolean }>(
      `SELECT s.stage, s.status, EXISTS (SELECT 1 FROM run_batches b WHERE b.run_id = s.run_id AND b.stage = s.stage) AS has_batches
       FROM run_stages s WHERE s.run_id = $1 ORDER BY s.position`,
      [runId],
    );
    const current = stages.find((s) => s.status !== 'done');
    const { rows: failed } = await tx.query<{
      id: string;
      stage: string;
      items: number;
      error: string | null;
    }>(`SELECT id, stage, items, error FROM run_batches WHERE run_id = $1 AND status = 'failed'`, [runId]);
    if (mode === 'retry' && failed.length === 0) throw new ConflictError('The run has no failed batches');
    // A retried batch starts afresh: its items leave the failed counts until it ends again.
    for (const b of failed) {
      await tx.query(
        `UPDATE run_stages SET done = done - $3, failed = failed - $3, failures_by_kind = CASE WHEN $3 = 0 THEN failures_by_kind
           ELSE jsonb_set(failures_by_kind, '{batch_error}', to_jsonb(GREATEST(0, COALESCE((failures_by_kind->>'batch_error')::int, 0) - $3))) END,
           updated_at = now() WHERE run_id = $1 AND stage = $2`,
        [runId, b.stage, b.items],
      );
    }
    const { rows: todo } = await tx.query<{ id: string }>(
      `SELECT id FROM run_batches WHERE run_id = $1 AND status IN ('pending', 'cancelled', 'failed')`,
      [runId],
    );
    await requeueBatches(
      tx,
      d.boss,
      d.settings,
      todo.map((t) => t.id),
    );
    await tx.query(
      `UPDATE run_stages SET status = 'pending', finished_at = NULL, updated_at = now() WHERE run_id = $1 AND status IN ('cancelled', 'failed')`,
      [runId],
    );
    await setRun(tx, runId, 'running');
    if (!current) return setRun(tx, runId, 'completed');
    if (!current.has_batches) return startStage(tx, d.boss, d.settings, runId, current.stage);
    await setStage(tx, runId, current.stage, 'active', { started: true });
    await advanceIfStageDone(
      tx,
      d.boss,
      d.settings,
      d.registry,
      { ...run, status: 'running' },
      current.stage,
    );
  });
}

export const resumeRun = (runId: string, o: Pick<ControlOptions, 'registry' | 'settings'>) =>
  restart(runId, o, 'resume');
export const retryFailed = (runId: string, o: Pick<ControlOptions, 'registry' | 'settings'>) =>
  restart(runId, o, 'retry');
