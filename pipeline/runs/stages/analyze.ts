// Analyze as a run stage: batches of photos to fetch and/or check (by check version), then the global duplicate step.
import { listCheckPending, listFetchPending } from '../../../lib/queries/analysis.ts';
import { photosUploadedBetween } from '../../../lib/queries/runs.ts';
import { PHOTO_CHECKS, type PhotoCheck } from '../../analyze/checkNames.ts';
import { runDuplicates } from '../../analyze/duplicatesStep.ts';
import { resolveSettings, type AnalyzeSettings } from '../../analyze/options.ts';
import { checkVersions, runCheckBatch } from '../../analyze/photoChecks.ts';
import { runFetchBatch } from '../../fetch/stage.ts';
import { STAGE_LABELS, uploadDates, type ResolvedRunConfig } from '../config.ts';
import type { StageAdapter } from '../types.ts';
import { filterIds, inBatches, mergeIds, pagedIds } from './batching.ts';

const BATCH = 100;

const settings = (c: ResolvedRunConfig, runId: string, signal?: AbortSignal): AnalyzeSettings =>
  resolveSettings({ minResolution: c.thresholds.minResolution, nearDuplicateDistance: c.thresholds.nearDuplicateDistance, runId, signal });

type Params = { ids: string[]; fetch: string[]; checks: Partial<Record<PhotoCheck, string[]>> };

export const analyzeStage: StageAdapter = {
  name: 'analyze',
  label: STAGE_LABELS.analyze,
  // Photos uploaded in the run's date range that still need fetching or a check at its current version.
  async *plan(run) {
    const s = settings(run.config, run.id);
    const versions = checkVersions(s);
    const streams: Record<string, AsyncIterable<string>> = { fetch: pagedIds(async (after, n) => (await listFetchPending(after, n)).map((p) => p.id)) };
    for (const c of PHOTO_CHECKS) streams[c] = pagedIds((after, n) => listCheckPending(versions[c].name, versions[c].version, after, n));
    const { from, to } = uploadDates(run.config);
    for (const k of Object.keys(streams)) streams[k] = filterIds(streams[k], (ids) => photosUploadedBetween(ids, from, to));
    for await (const batch of inBatches(mergeIds(streams), run.config.batchSize ?? BATCH, run.config.limit)) {
      const params: Params = { ids: batch.map((b) => b.id), fetch: batch.filter((b) => b.from.includes('fetch')).map((b) => b.id), checks: {} };
      for (const c of PHOTO_CHECKS) params.checks[c] = batch.filter((b) => b.from.includes(c)).map((b) => b.id);
      yield { key: batch[0].id, params, items: batch.length };
    }
  },
  async runBatch(batch, ctx) {
    const p = batch.params as Params;
    const s = settings(ctx.config, ctx.runId, ctx.signal);
    const fetched = p.fetch.length ? await runFetchBatch(p.fetch, s) : { ok: 0, failed: 0, failuresByKind: {} };
    const failuresByKind: Record<string, number> = { ...fetched.failuresByKind };
    const refetched = new Set(p.fetch);
    for (const c of PHOTO_CHECKS) {
      // A photo fetched just now has new inputs for every check.
      const ids = p.ids.filter((id) => refetched.has(id) || p.checks[c]?.includes(id));
      if (ids.length === 0) continue;
      const r = await runCheckBatch(ids, c, s);
      // Fail verdicts are exclusions, not pipeline failures; a check that could not decide is.
      for (const [k, n] of Object.entries(r.failuresByKind)) if (k.endsWith(':error')) failuresByKind[k] = (failuresByKind[k] ?? 0) + n;
      await ctx.heartbeat();
    }
    return { ok: p.ids.length - fetched.failed, failed: fetched.failed, failuresByKind };
  },
  async after(run, ctx) {
    const r = await runDuplicates(settings(run.config, run.id, ctx.signal));
    return { ok: r.photos - r.duplicates, failed: 0, note: r.skipped ? 'duplicates already current' : `${r.duplicates} duplicates in ${r.clusters} clusters (${r.clipNote})` };
  },
};
