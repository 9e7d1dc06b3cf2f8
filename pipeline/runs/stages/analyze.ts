// Analyze as a run stage: batches of photos to fetch and/or check (by check version), then the global duplicate step.
import { listCheckPending, listFetchPending } from '../../../lib/queries/analysis.ts';
import { photosUploadedBetween } from '../../../lib/queries/runs.ts';
import { ALL_STEPS, PHOTO_CHECKS, type PhotoCheck } from '../../analyze/checkNames.ts';
import { runDuplicates } from '../../analyze/duplicatesStep.ts';
import type { AnalyzeSettings } from '../../analyze/options.ts';
import { checkVersions, runCheckBatch } from '../../analyze/photoChecks.ts';
import { clipPairSource } from '../../clip/nearDuplicates.ts';
import { runFetchBatch } from '../../fetch/stage.ts';
import { STAGE_LABELS, uploadDates, type ResolvedRunConfig } from '../config.ts';
import { stageSettings } from '../stageSettings.ts';
import { annBuilder } from '../annBuild.ts';
import { finishNotes } from '../finishNotes.ts';
import { ANN_FINISH_EXPIRE_SECONDS } from '../queues.ts';
import { runSettings } from '../settings.ts';
import type { StageAdapter } from '../types.ts';
import { filterIds, inBatches, mergeIds, pagedIds } from './batching.ts';

const BATCH = 100;

const settings = (c: ResolvedRunConfig, runId: string, signal?: AbortSignal): AnalyzeSettings => ({
  ...stageSettings(c).analyze,
  runId,
  signal,
});
/** The steps the run asked for (all for a run stored before steps could be chosen). */
const steps = (c: ResolvedRunConfig) => new Set(c.checks ?? ALL_STEPS);

type Params = { ids: string[]; fetch: string[]; checks: Partial<Record<PhotoCheck, string[]>> };

export const analyzeStage: StageAdapter = {
  name: 'analyze',
  label: STAGE_LABELS.analyze,
  // Its finishing step clusters duplicates with CLIP pairs when no clip stage follows: it waits for the index build too.
  afterExpireSeconds: ANN_FINISH_EXPIRE_SECONDS,
  // Photos uploaded in the run's date range that still need fetching or a check at its current version.
  async *plan(run) {
    const s = settings(run.config, run.id);
    const versions = checkVersions(s);
    const want = steps(run.config);
    const streams: Record<string, AsyncIterable<string>> = {};
    if (want.has('fetch'))
      streams.fetch = pagedIds(async (after, n) => (await listFetchPending(after, n)).map((p) => p.id));
    for (const c of PHOTO_CHECKS)
      if (want.has(c))
        streams[c] = pagedIds((after, n) =>
          listCheckPending(versions[c].name, versions[c].version, after, n),
        );
    const { from, to } = uploadDates(run.config);
    for (const k of Object.keys(streams))
      streams[k] = filterIds(streams[k], (ids) => photosUploadedBetween(ids, from, to));
    for await (const batch of inBatches(mergeIds(streams), run.config.batchSize ?? BATCH, run.config.limit)) {
      const params: Params = {
        ids: batch.map((b) => b.id),
        fetch: batch.filter((b) => b.from.includes('fetch')).map((b) => b.id),
        checks: {},
      };
      for (const c of PHOTO_CHECKS)
        params.checks[c] = batch.filter((b) => b.from.includes(c)).map((b) => b.id);
      yield { key: batch[0].id, params, items: batch.length };
    }
  },
  async runBatch(batch, ctx) {
    const p = batch.params as Params;
    const s = settings(ctx.config, ctx.runId, ctx.signal);
    const fetched = p.fetch.length
      ? await runFetchBatch(p.fetch, s)
      : { ok: 0, failed: 0, failuresByKind: {} };
    const failuresByKind: Record<string, number> = { ...fetched.failuresByKind };
    const refetched = new Set(p.fetch);
    const want = steps(ctx.config);
    for (const c of PHOTO_CHECKS) {
      if (!want.has(c)) continue;
      // A photo fetched just now has new inputs for every check.
      const ids = p.ids.filter((id) => refetched.has(id) || p.checks[c]?.includes(id));
      if (ids.length === 0) continue;
      const r = await runCheckBatch(ids, c, s);
      // Fail verdicts are exclusions, not pipeline failures; a check that could not decide is.
      for (const [k, n] of Object.entries(r.failuresByKind))
        if (k.endsWith(':error')) failuresByKind[k] = (failuresByKind[k] ?? 0) + n;
      await ctx.heartbeat();
    }
    return { ok: p.ids.length - fetched.failed, failed: fetched.failed, failuresByKind };
  },
  // Duplicates are clustered once per run: here, unless the run's CLIP stage comes next and clusters them with its
  // embeddings (runs/stages/clip.ts).
  async after(run, ctx) {
    if (!steps(run.config).has('duplicates')) return { ok: 0, failed: 0, note: 'duplicates not asked for' };
    if (run.config.stages.includes('clip'))
      return { ok: 0, failed: 0, note: 'duplicates are grouped after the CLIP stage' };
    const clip = await clipPairSource(stageSettings(run.config).clip);
    const notes = finishNotes(ctx.note);
    const r = await runDuplicates(settings(run.config, run.id, ctx.signal), {
      clip,
      force: run.config.regroupDuplicates,
      buildIndex: annBuilder(runSettings(), notes.onWait),
      onClipProgress: notes.onProgress,
      onProgress: notes.onDuplicates,
    });
    const note = r.skipped
      ? 'duplicates already current'
      : `${r.duplicates} duplicates in ${r.clusters} clusters (${r.clipNote})`;
    await notes.finish(note);
    return { ok: r.photos - r.duplicates, failed: 0, note };
  },
};
