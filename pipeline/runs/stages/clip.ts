// CLIP as a run stage: batches of fetched photos without current CLIP results; without a model it says so and skips.
// Its finishing step merges CLIP near-duplicates into the duplicate clusters.
import { listClipPending } from '../../../lib/queries/clip.ts';
import { photosUploadedBetween, stageItemsDone } from '../../../lib/queries/runs.ts';
import { runDuplicates } from '../../analyze/duplicatesStep.ts';
import { resolveSettings } from '../../analyze/options.ts';
import { clipConfig, type ClipConfig } from '../../clip/config.ts';
import { openClipRuntime } from '../../clip/runtime.ts';
import { clipPairSource } from '../../clip/nearDuplicates.ts';
import { runClipBatch } from '../../clip/stage.ts';
import { clipModelStatus } from '../../clip/status.ts';
import { STAGE_LABELS, uploadDates, type ResolvedRunConfig } from '../config.ts';
import { failures, type StageAdapter } from '../types.ts';
import { filterIds, inBatches, pagedIds } from './batching.ts';

const BATCH = 128;

function config(c: ResolvedRunConfig): ClipConfig {
  const base = clipConfig();
  const t = c.thresholds;
  return { ...base, thresholds: { nonphoto: { fail: t.clipNonphotoFail, uncertain: t.clipNonphotoUncertain }, nonwholesome: { fail: t.clipNonwholesomeFail, uncertain: t.clipNonwholesomeUncertain } } };
}

export const clipStage: StageAdapter = {
  name: 'clip',
  label: STAGE_LABELS.clip,
  async *plan(run, ctx) {
    const cfg = config(run.config);
    const status = await clipModelStatus(cfg);
    if (!status.installed) {
      ctx.note(`${status.message}: CLIP results stay pending until a model is installed (npm run quarry -- models)`);
      return;
    }
    const runtime = await openClipRuntime(cfg);
    const { from, to } = uploadDates(run.config);
    const pending = pagedIds(async (after, n) => (await listClipPending(runtime.versions, runtime.modelKey, after, n)).map((p) => p.id), 2000);
    const ids = filterIds(pending, (chunk) => photosUploadedBetween(chunk, from, to));
    for await (const batch of inBatches(ids, run.config.batchSize ?? BATCH, run.config.limit)) {
      yield { key: batch[0], params: { ids: batch }, items: batch.length };
    }
  },
  async runBatch(batch, ctx) {
    const r = await runClipBatch(batch.params.ids as string[], { runId: ctx.runId, signal: ctx.signal, config: config(ctx.config) });
    return { ok: r.done + r.skipped, failed: r.failed, failuresByKind: failures('clip_error', r.failed) };
  },
  // New embeddings can link photos the perceptual hashes did not: regroup the duplicates with them.
  async after(run, ctx) {
    if ((await stageItemsDone(run.id, 'clip')) === 0) return { ok: 0, failed: 0, note: 'no new embeddings: duplicate clusters unchanged' };
    const { source, note } = await clipPairSource(config(run.config));
    if (!source) return { ok: 0, failed: 0, note };
    const s = resolveSettings({ nearDuplicateDistance: run.config.thresholds.nearDuplicateDistance, clipPairs: source, runId: run.id, signal: ctx.signal });
    const r = await runDuplicates(s, { force: true });
    return { ok: r.photos - r.duplicates, failed: 0, note: `${r.clipPairs} CLIP pairs at cosine ≥ ${source.threshold}: ${r.duplicates} duplicates in ${r.clusters} clusters` };
  },
};
