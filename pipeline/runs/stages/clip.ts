// CLIP as a run stage: batches of fetched photos without current CLIP results; without a model it says so and skips.
import { listClipPending } from '../../../lib/queries/clip.ts';
import { photosUploadedBetween } from '../../../lib/queries/runs.ts';
import { clipConfig, type ClipConfig } from '../../clip/config.ts';
import { openClipRuntime } from '../../clip/runtime.ts';
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
};
