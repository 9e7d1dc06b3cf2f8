// Crop candidates over the stored photos: indexes the loaded full-frame crop hashes, then streams each photo's windows past the index.
import { listCropHashRows } from '../../lib/queries/analysis.ts';
import { decodeCropHashes, CROP_WINDOWS } from '../checks/cropHash.ts';
import { buildCropIndex, cropPairCollector, searchWindows, type CropPair, type WindowColumns } from '../checks/cropSearch.ts';
import { CROP_SEARCH_DISTANCE, CROP_WEAK_BITS } from '../checks/duplicateConfig.ts';
import type { HashColumns } from '../checks/dedupIndex.ts';

const PAGE = 10_000;

/**
 * `full` holds each photo's full-frame crop hash in the order of `ids`; `missing[i]` marks photos without
 * stored crop hashes (never matched, never queried). Memory: the index (~44 MB per million photos) plus one
 * page of windows; the windows are read in a second pass instead of being held (144 B per photo).
 */
export async function findCropCandidates(ids: string[], full: HashColumns, missing: Uint8Array): Promise<{ pairs: CropPair[]; probes: number }> {
  if (full.count < 2) return { pairs: [], probes: 0 };
  const index = buildCropIndex(full);
  const collect = cropPairCollector();
  const k = CROP_WINDOWS.length;
  const n = PAGE * k;
  const w: WindowColumns = { count: 0, hi: new Uint32Array(n), lo: new Uint32Array(n), weakHi: new Uint32Array(n), weakLo: new Uint32Array(n), owner: new Uint32Array(n), window: new Uint8Array(n) };
  let probes = 0;
  let cursor = 0;
  for (let after: string | null = null; ;) {
    const rows = await listCropHashRows(after, PAGE);
    if (rows.length === 0) break;
    after = rows[rows.length - 1].id;
    w.count = 0;
    for (const r of rows) {
      // Same filter and order as the column load: rows line up with `ids`, except photos added or removed
      // since then, which a short look-ahead steps over.
      let at = cursor;
      while (at < Math.min(ids.length, cursor + 64) && ids[at] !== r.id) at++;
      if (ids[at] !== r.id) continue;
      cursor = at + 1;
      const c = missing[at] ? null : decodeCropHashes(r.windows);
      if (!c) continue;
      c.windows.forEach((h, win) => {
        const q = w.count++;
        w.hi[q] = h.hi; w.lo[q] = h.lo; w.weakHi[q] = h.weak.hi; w.weakLo[q] = h.weak.lo; w.owner[q] = at; w.window[q] = win;
      });
    }
    probes += searchWindows(index, w, { radius: CROP_SEARCH_DISTANCE, weakBits: CROP_WEAK_BITS, skip: missing }, collect.sink);
  }
  return { pairs: collect.pairs(), probes };
}
