// Crop candidates over the stored photos: indexes the loaded full-frame crop hashes, then streams each photo's windows past the index.
import { listCropHashRows } from '../../lib/queries/analysis.ts';
import { decodeCropHashes, CROP_WINDOWS } from '../fingerprints/cropHash.ts';
import { cropPairCollector, type CropPair } from '../checks/cropSearch.ts';
import { startCropSearch } from '../checks/cropSearchPool.ts';
import { CROP_SEARCH_DISTANCE, CROP_WEAK_BITS } from '../checks/duplicateConfig.ts';
import type { HashColumns } from '../checks/dedupIndex.ts';

const PAGE = 10_000;

/**
 * `full` holds each photo's full-frame crop hash in the order of `ids`; `missing[i]` marks photos without
 * stored crop hashes (never matched, never queried). The windows are read in a second pass instead of being
 * held (144 B per photo) and probed in batches of ~116,000 photos on worker threads while the next pages load.
 * Memory: the index (~44 MB per million photos, shared by the workers) plus, from 200,000 photos on, ~130 MB
 * of probe scratch per worker and a few 22 MB batches (cropSearchPool.ts).
 */
export async function findCropCandidates(
  ids: string[],
  full: HashColumns,
  missing: Uint8Array,
): Promise<{ pairs: CropPair[]; probes: number }> {
  if (full.count < 2) return { pairs: [], probes: 0 };
  const collect = cropPairCollector();
  const search = await startCropSearch(
    full,
    { radius: CROP_SEARCH_DISTANCE, weakBits: CROP_WEAK_BITS, skip: missing },
    collect.sink,
  );
  // The next page is queried while this one is decoded: PostgreSQL works while this thread decodes.
  let page = listCropHashRows(null, PAGE);
  try {
    const k = CROP_WINDOWS.length;
    let w = await search.next();
    let cursor = 0;
    for (;;) {
      const rows = await page;
      if (rows.length === 0) break;
      page = rows.length < PAGE ? Promise.resolve([]) : listCropHashRows(rows[rows.length - 1].id, PAGE);
      for (const r of rows) {
        // Same filter and order as the column load: rows line up with `ids`, except photos added or removed
        // since then, which a short look-ahead steps over.
        let at = cursor;
        while (at < Math.min(ids.length, cursor + 64) && ids[at] !== r.id) at++;
        if (ids[at] !== r.id) continue;
        cursor = at + 1;
        const c = missing[at] ? null : decodeCropHashes(r.windows);
        if (!c) continue;
        if (w.count + k > w.hi.length) {
          search.submit(w);
          w = await search.next();
        }
        c.windows.forEach((h, win) => {
          const q = w.count++;
          w.hi[q] = h.hi;
          w.lo[q] = h.lo;
          w.weakHi[q] = h.weak.hi;
          w.weakLo[q] = h.weak.lo;
          w.owner[q] = at;
          w.window[q] = win;
        });
      }
    }
    search.submit(w);
    return { pairs: collect.pairs(), probes: await search.finish() };
  } catch (e) {
    page.catch(() => {});
    await search.close();
    throw e;
  }
}
