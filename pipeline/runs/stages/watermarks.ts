// Watermarks as a run stage: batches of accounts with enough fetched photos and no current result.
import { accountsWithUploadsBetween } from '../../../lib/queries/runs.ts';
import { listWatermarkPending } from '../../../lib/queries/watermarks.ts';
import { configVersion } from '../../watermarks/config.ts';
import { runWatermarkBatch } from '../../watermarks/stage.ts';
import { STAGE_LABELS, uploadDates, type ResolvedRunConfig } from '../config.ts';
import { stageSettings } from '../stageSettings.ts';
import { failures, type StageAdapter } from '../types.ts';
import { filterIds, inBatches, pagedIds } from './batching.ts';

// Detection decodes up to 64 thumbnails per account: a handful of accounts is a few seconds of work.
const BATCH = 8;

const config = (c: ResolvedRunConfig) => stageSettings(c).watermarks;

export const watermarksStage: StageAdapter = {
  name: 'watermarks',
  label: STAGE_LABELS.watermarks,
  async *plan(run) {
    const cfg = config(run.config);
    const base = configVersion(cfg);
    const { from, to } = uploadDates(run.config);
    const pending = pagedIds(
      async (after, n) => (await listWatermarkPending(base, cfg.minPhotos, after, n)).map((a) => a.nsid),
      1000,
    );
    // Accounts with a photo in the run's date range (the check itself looks at all of an account's photos).
    const nsids = filterIds(pending, (chunk) => accountsWithUploadsBetween(chunk, from, to));
    for await (const batch of inBatches(nsids, run.config.batchSize ?? BATCH, run.config.limit)) {
      yield { key: batch[0], params: { nsids: batch }, items: batch.length };
    }
  },
  async runBatch(batch, ctx) {
    const r = await runWatermarkBatch(batch.params.nsids as string[], {
      runId: ctx.runId,
      signal: ctx.signal,
      config: config(ctx.config),
    });
    return {
      ok: r.done + r.skipped,
      failed: r.failed,
      failuresByKind: failures('unreadable_thumbnails', r.failed),
    };
  },
};
