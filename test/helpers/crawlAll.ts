// A whole-range crawl in one call, for tests and benches that exercise the crawl algorithm itself (window splits,
// faults, a killed crawl resumed) with their own client and window sizes. The product crawls only as runs of the
// ingest stage (pipeline/runs/stages/ingest.ts: one batch per window); this fixture walks the same windows with the
// same crawl step (crawlOne), so a test sees the algorithm without the job framework around it.
import { recomputeAccountRanks } from '../../lib/queries/accounts.ts';
import { countWindows, listWindows } from '../../lib/queries/ingest.ts';
import { FlickrError, FlickrInvalidKeyError } from '../../pipeline/flickr/errors.ts';
import type { SkippedPhoto } from '../../pipeline/flickr/types.ts';
import {
  crawlOne,
  planWindows,
  type IngestConfig,
  type IngestDeps,
  type WindowResult,
} from '../../pipeline/ingest/crawl.ts';
import type { Window } from '../../pipeline/ingest/windows.ts';

export type WindowError = { window: Window; message: string; request?: FlickrError['request'] };
export type IngestProgress = {
  windowsDone: number;
  windowsTotal: number;
  photosStored: number;
  requests: number;
  elapsedMs: number;
};
export type IngestSummary = IngestProgress & {
  crawlKey: string;
  windowsSplit: number;
  skipped: SkippedPhoto[];
  errors: WindowError[];
  complete: boolean;
};

export async function crawlAll(
  cfg: IngestConfig,
  deps: IngestDeps & { onProgress?: (p: IngestProgress) => void; rankEvery?: number },
): Promise<IngestSummary> {
  const started = Date.now();
  const { crawlKey: key } = await planWindows(cfg);
  const counts = await countWindows(key);
  const acc: WindowResult = { windowsDone: 0, windowsSplit: 0, photosStored: 0, skipped: [] };
  const errors: WindowError[] = [];
  const failed = new Set<bigint>();
  const progress = (): IngestProgress => ({
    windowsDone: counts.done + acc.windowsDone,
    windowsTotal: counts.done + counts.pending + acc.windowsSplit,
    photosStored: acc.photosStored,
    requests: deps.client.counters.requests,
    elapsedMs: Date.now() - started,
  });
  let sinceRanks = 0;
  for (;;) {
    const pending = (await listWindows(key, 'pending')).filter((w) => !failed.has(w.id));
    if (pending.length === 0) break;
    for (const w of pending) {
      deps.signal?.throwIfAborted();
      const before = acc.windowsDone;
      try {
        await crawlOne(key, w, cfg, deps, acc);
      } catch (e) {
        // Anything but a Flickr failure (a database error, an abort) fails the whole run.
        if (e instanceof FlickrInvalidKeyError || deps.signal?.aborted || !(e instanceof FlickrError))
          throw e;
        // The window stays pending for the next run; the error is kept with the request that caused it.
        failed.add(w.id);
        errors.push({
          window: { minUpload: w.minUpload, maxUpload: w.maxUpload },
          message: e.message,
          request: e.request,
        });
      }
      sinceRanks += acc.windowsDone - before;
      if (sinceRanks >= (deps.rankEvery ?? 100)) {
        await recomputeAccountRanks();
        sinceRanks = 0;
      }
      deps.onProgress?.(progress());
    }
  }
  await recomputeAccountRanks();
  const final = await countWindows(key);
  return {
    ...progress(),
    crawlKey: key,
    windowsSplit: acc.windowsSplit,
    skipped: acc.skipped,
    errors,
    complete: final.pending === 0,
  };
}
