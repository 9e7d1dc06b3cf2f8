// Ingest: crawls flickr.photos.search window by window into PostgreSQL, resumable after any kill. The ingest run stage
// (pipeline/runs/stages/ingest.ts) plans the windows and crawls each as a batch.
import {
  completeWindow,
  getWindow,
  insertInitialWindows,
  listWindows,
  splitWindow,
  type CrawlWindowRow,
} from '../../lib/queries/ingest.ts';
import type { FlickrClient } from '../flickr/client.ts';
import { searchPhotos } from '../flickr/search.ts';
import type { SkippedPhoto } from '../flickr/types.ts';
import { newWindowState, storePage } from './store.ts';
import { crawlKey, DAY, halves, initialWindows, mustSplit } from './windows.ts';

export type IngestConfig = {
  licenses: readonly number[];
  /** Upload range, unix seconds, inclusive. */
  from: number;
  to: number;
  /** Split a window whose total is over this (Flickr stops giving new results near 4,000). */
  cap?: number;
  minWindowSeconds?: number;
  perPage?: number;
  /** Width of the first cut of the range. */
  initialWindowSeconds?: number;
};

export type IngestDeps = { client: FlickrClient; signal?: AbortSignal };

export type WindowResult = {
  windowsDone: number;
  windowsSplit: number;
  photosStored: number;
  skipped: SkippedPhoto[];
};

const defaults = (c: IngestConfig) => ({
  cap: c.cap ?? 3000,
  minWindowSeconds: c.minWindowSeconds ?? 60,
  perPage: c.perPage ?? 500,
  initialWindowSeconds: c.initialWindowSeconds ?? 30 * DAY,
});

/** Records the crawl's first windows (once) and returns its key and the windows still to do. */
export async function planWindows(
  cfg: IngestConfig,
): Promise<{ crawlKey: string; pending: CrawlWindowRow[] }> {
  const key = crawlKey(cfg.licenses, cfg.from, cfg.to);
  await insertInitialWindows(key, initialWindows(cfg.from, cfg.to, defaults(cfg).initialWindowSeconds));
  return { crawlKey: key, pending: await listWindows(key, 'pending') };
}

/** Crawls one pending window: splits it (and crawls the halves) when too big, else pages through and marks it done. */
export async function crawlOne(
  key: string,
  w: CrawlWindowRow,
  cfg: IngestConfig,
  deps: IngestDeps,
  acc: WindowResult,
): Promise<void> {
  const { cap, minWindowSeconds, perPage } = defaults(cfg);
  const query = { licenses: cfg.licenses, minUpload: w.minUpload, maxUpload: w.maxUpload, perPage };
  const first = await searchPhotos(deps.client, { ...query, page: 1 }, deps.signal);
  if (mustSplit(w, first.total, cap, minWindowSeconds)) {
    await splitWindow(w.id, key, first.total, halves(w));
    acc.windowsSplit++;
    for (const child of await listWindows(key, 'pending', w)) await crawlOne(key, child, cfg, deps, acc);
    return;
  }
  const state = newWindowState();
  const fetchPage = (page: number) => {
    const p = searchPhotos(deps.client, { ...query, page }, deps.signal);
    p.catch(() => {}); // awaited below; a page abandoned after the last useful one must not crash the process
    return p;
  };
  // The next page is fetched while the current one is stored.
  let ahead = first.pages >= 2 ? fetchPage(2) : undefined;
  state.skipped.push(...first.skipped);
  let stored = (await storePage(first.photos, cfg.licenses, state)).stored;
  for (let page = 2; ahead; page++) {
    deps.signal?.throwIfAborted();
    const next = await ahead;
    ahead = page + 1 <= first.pages ? fetchPage(page + 1) : undefined;
    state.skipped.push(...next.skipped);
    const r = await storePage(next.photos, cfg.licenses, state);
    stored += r.stored;
    // Nothing new: Flickr has reached its cap for this query and only repeats itself.
    if (next.photos.length === 0 || r.unseen === 0) break;
  }
  await completeWindow(w.id, { total: first.total, pages: first.pages, photos: stored }, [...state.owners]);
  acc.windowsDone++;
  acc.photosStored += stored;
  acc.skipped.push(...state.skipped);
}

/** Batch entry for a job runner: finishes everything still pending inside window `id` (itself or, once split, its parts). */
export async function crawlWindow(id: bigint, cfg: IngestConfig, deps: IngestDeps): Promise<WindowResult> {
  const acc: WindowResult = { windowsDone: 0, windowsSplit: 0, photosStored: 0, skipped: [] };
  const w = await getWindow(id);
  if (!w) throw new Error(`Crawl window ${id} not found`);
  const todo =
    w.status === 'pending' ? [w] : w.status === 'split' ? await listWindows(w.crawlKey, 'pending', w) : [];
  for (const t of todo) await crawlOne(w.crawlKey, t, cfg, deps, acc);
  return acc;
}
