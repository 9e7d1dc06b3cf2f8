// Stores one search page of a window: keeps eligible photos not yet seen in the window, upserts them in one round trip.
import { upsertPhotosPage } from '../../lib/queries/ingest.ts';
import type { PhotoRecord } from '../../lib/domain/photoRecord.ts';
import type { SkippedPhoto } from '../flickr/types.ts';

/** What one window has stored so far; repeats (Flickr past its cap) are recognised by id. */
export type WindowState = { seen: Set<string>; owners: Set<string>; skipped: SkippedPhoto[] };

export const newWindowState = (): WindowState => ({ seen: new Set(), owners: new Set(), skipped: [] });

/** `unseen`: ids new to the window (0 means Flickr only repeated itself); `stored`: photos written. */
export async function storePage(
  photos: PhotoRecord[],
  licenses: readonly number[],
  state: WindowState,
): Promise<{ unseen: number; stored: number }> {
  const fresh: PhotoRecord[] = [];
  let unseen = 0;
  for (const p of photos) {
    if (state.seen.has(p.id)) continue;
    state.seen.add(p.id);
    unseen++;
    // A server that ignores the license filter must not put an ineligible photo in the dataset.
    if (!licenses.includes(p.license)) {
      state.skipped.push({ id: p.id, reason: `license ${p.license} not requested` });
      continue;
    }
    fresh.push(p);
    state.owners.add(p.ownerNsid);
  }
  if (fresh.length) await upsertPhotosPage(fresh);
  return { unseen, stored: fresh.length };
}
