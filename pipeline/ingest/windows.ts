// Upload-date windows of a crawl: the first cut, when a window must be split, and its halves (pure functions).
import { createHash } from 'node:crypto';

/** Bounds are unix seconds, both inclusive, as Flickr's min_upload_date / max_upload_date are. */
export type Window = { minUpload: number; maxUpload: number };

export const DAY = 86_400;

/** Identifies a crawl by what it asks for, so a restarted crawl finds its own windows. */
export function crawlKey(licenses: readonly number[], from: number, to: number): string {
  const spec = `licenses=${[...licenses].sort((a, b) => a - b).join(',')};from=${from};to=${to}`;
  return createHash('sha256').update(spec).digest('hex').slice(0, 24);
}

/** Cuts [from, to] into consecutive windows of `size` seconds (the last one shorter). */
export function initialWindows(from: number, to: number, size: number): Window[] {
  if (!(to >= from)) throw new Error('The crawl range ends before it starts');
  const out: Window[] = [];
  for (let start = from; start <= to; start += size)
    out.push({ minUpload: start, maxUpload: Math.min(to, start + size - 1) });
  return out;
}

export const span = (w: Window) => w.maxUpload - w.minUpload + 1;

/** Flickr repeats itself past ~4,000 results, so a window over the cap is split while it is wider than the minimum. */
export function mustSplit(w: Window, total: number, cap: number, minWindowSeconds: number): boolean {
  return total > cap && span(w) > minWindowSeconds && span(w) >= 2;
}

export function halves(w: Window): [Window, Window] {
  const mid = w.minUpload + Math.floor((w.maxUpload - w.minUpload) / 2);
  return [
    { minUpload: w.minUpload, maxUpload: mid },
    { minUpload: mid + 1, maxUpload: w.maxUpload },
  ];
}
