// Ingest as a run stage: one batch per upload-date window of the crawl (split windows are finished inside their batch).
import { recomputeAccountRanks } from '../../../lib/queries/accounts.ts';
import { crawlWindow, planWindows } from '../../ingest/crawl.ts';
import { STAGE_LABELS } from '../config.ts';
import { stageSettings } from '../stageSettings.ts';
import { failures, type StageAdapter } from '../types.ts';
import { ingestPreflight } from './catalog.ts';

export const ingestStage: StageAdapter = {
  name: 'ingest',
  label: STAGE_LABELS.ingest,
  preflight: ingestPreflight,
  async *plan(run) {
    const { pending } = await planWindows(stageSettings(run.config).ingest);
    for (const w of pending) yield { key: `w${w.id}`, params: { windowId: String(w.id) }, items: 1 };
  },
  async runBatch(batch, ctx) {
    const s = stageSettings(ctx.config);
    if (!s.flickr) throw new Error(ingestPreflight() ?? 'FLICKR_API_KEY is not set');
    const r = await crawlWindow(BigInt(String(batch.params.windowId)), s.ingest, {
      client: s.flickr,
      signal: ctx.signal,
    });
    return {
      ok: 1,
      failed: 0,
      failuresByKind: failures('skipped_photo', r.skipped.length),
      note: `${r.photosStored} photos`,
    };
  },
  async after() {
    await recomputeAccountRanks();
    return { ok: 1, failed: 0 };
  },
};
