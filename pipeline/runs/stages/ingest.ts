// Ingest as a run stage: one batch per upload-date window of the crawl (split windows are finished inside their batch).
import { env } from '../../../lib/env.ts';
import { recomputeAccountRanks } from '../../../lib/queries/accounts.ts';
import { createFlickrClient, type FlickrClient } from '../../flickr/client.ts';
import { crawlWindow, planWindows, type IngestConfig } from '../../ingest/crawl.ts';
import { STAGE_LABELS, uploadRange, type ResolvedRunConfig } from '../config.ts';
import { failures, type StageAdapter } from '../types.ts';
import { ingestPreflight } from './catalog.ts';

let client: FlickrClient | null = null;
// One client per process: its rate limiter is what keeps every batch together under Flickr's hourly budget.
const flickr = () => (client ??= createFlickrClient({ apiKey: env.FLICKR_API_KEY ?? '', apiBase: env.FLICKR_API_BASE, ratePerHour: env.FLICKR_RATE_LIMIT }));

const ingestConfig = (c: ResolvedRunConfig): IngestConfig => ({ licenses: c.licenses, ...uploadRange(c) });

export const ingestStage: StageAdapter = {
  name: 'ingest',
  label: STAGE_LABELS.ingest,
  preflight: ingestPreflight,
  async *plan(run) {
    const { pending } = await planWindows(ingestConfig(run.config));
    for (const w of pending) yield { key: `w${w.id}`, params: { windowId: String(w.id) }, items: 1 };
  },
  async runBatch(batch, ctx) {
    const r = await crawlWindow(BigInt(String(batch.params.windowId)), ingestConfig(ctx.config), { client: flickr(), signal: ctx.signal });
    return { ok: 1, failed: 0, failuresByKind: failures('skipped_photo', r.skipped.length), note: `${r.photosStored} photos` };
  },
  async after() {
    await recomputeAccountRanks();
    return { ok: 1, failed: 0 };
  },
};
