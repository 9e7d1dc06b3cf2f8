// CLIP as a run stage: batches of fetched photos without current CLIP results; without a model it says so and skips.
// Its finishing step merges CLIP near-duplicates into the duplicate clusters.
import { listClipPending } from '../../../lib/queries/clip.ts';
import { photosUploadedBetween, stageItemsDone } from '../../../lib/queries/runs.ts';
import { runDuplicates } from '../../analyze/duplicatesStep.ts';
import { ALL_STEPS } from '../../analyze/checkNames.ts';
import { openClipRuntime } from '../../clip/runtime.ts';
import { clipPairSource } from '../../clip/nearDuplicates.ts';
import { runClipBatch } from '../../clip/stage.ts';
import { clipModelStatus } from '../../clip/status.ts';
import { STAGE_LABELS, uploadDates, type ResolvedRunConfig } from '../config.ts';
import { stageSettings } from '../stageSettings.ts';
import { annBuilder } from '../annBuild.ts';
import { finishNotes } from '../finishNotes.ts';
import { ANN_FINISH_EXPIRE_SECONDS } from '../queues.ts';
import { runSettings } from '../settings.ts';
import { failures, type StageAdapter } from '../types.ts';
import { filterIds, inBatches, pagedIds } from './batching.ts';

const BATCH = 128;

const config = (c: ResolvedRunConfig) => stageSettings(c).clip;

export const clipStage: StageAdapter = {
  name: 'clip',
  label: STAGE_LABELS.clip,
  afterExpireSeconds: ANN_FINISH_EXPIRE_SECONDS,
  async *plan(run, ctx) {
    const cfg = config(run.config);
    const status = await clipModelStatus(cfg);
    if (!status.installed) {
      ctx.note(
        `${status.message}: CLIP results stay pending until a model is installed (npm run quarry -- models)`,
      );
      return;
    }
    const runtime = await openClipRuntime(cfg);
    const { from, to } = uploadDates(run.config);
    const pending = pagedIds(
      async (after, n) =>
        (await listClipPending(runtime.versions, runtime.modelKey, after, n, run.config.retryClipErrors)).map(
          (p) => p.id,
        ),
      2000,
    );
    const ids = filterIds(pending, (chunk) => photosUploadedBetween(chunk, from, to));
    for await (const batch of inBatches(ids, run.config.batchSize ?? BATCH, run.config.limit)) {
      yield { key: batch[0], params: { ids: batch }, items: batch.length };
    }
  },
  async runBatch(batch, ctx) {
    const r = await runClipBatch(batch.params.ids as string[], {
      runId: ctx.runId,
      signal: ctx.signal,
      config: config(ctx.config),
      retryErrors: ctx.config.retryClipErrors,
    });
    return { ok: r.done + r.skipped, failed: r.failed, failuresByKind: failures('clip_error', r.failed) };
  },
  // Duplicates are clustered once per run, here when the run also analyzed (analyze's finishing step leaves them to
  // this one) or when new embeddings can link photos the perceptual hashes did not.
  async after(run, ctx) {
    const analyzed =
      run.config.stages.includes('analyze') && (run.config.checks ?? ALL_STEPS).includes('duplicates');
    const embedded = (await stageItemsDone(run.id, 'clip')) > 0;
    if (!analyzed && !embedded && !run.config.regroupDuplicates)
      return { ok: 0, failed: 0, note: 'no new embeddings: duplicate clusters unchanged' };
    const s = stageSettings(run.config);
    const clip = await clipPairSource(s.clip);
    const notes = finishNotes(ctx.note);
    const r = await runDuplicates(
      { ...s.analyze, runId: run.id, signal: ctx.signal },
      {
        clip,
        force: embedded || run.config.regroupDuplicates,
        buildIndex: annBuilder(runSettings(), notes.onWait),
        onClipProgress: notes.onProgress,
        onProgress: notes.onDuplicates,
      },
    );
    const found = `${r.duplicates} duplicates in ${r.clusters} clusters`;
    const note = r.skipped
      ? 'duplicates already current'
      : clip.source
        ? `${r.clipPairs} CLIP pairs at cosine ≥ ${clip.source.threshold}: ${found}`
        : `${found} (${clip.note})`;
    await notes.finish(note);
    return { ok: r.photos - r.duplicates, failed: 0, note };
  },
};
