// Crop candidates: each photo's window hashes are looked up in an index of every photo's full-frame crop hash.
import { CROP_KEYS, WEAK_PER_KEY } from '../fingerprints/cropHash.ts';
import { buildIndex, type HashColumns, type MihIndex } from './dedupIndex.ts';
import {
  MAX_PASS_WINDOWS,
  probeScratch,
  probeTable,
  type CropSink,
  type CropTable,
  type ProbeScratch,
  type WindowColumns,
} from './cropProbes.ts';

export type { CropSink, WindowColumns } from './cropProbes.ts';

/** The full-frame crop hashes in three tables keyed by CROP_KEYS (the window's weak bits refer to them). */
export function buildCropIndex(full: HashColumns): MihIndex {
  return buildIndex(full, { radius: 0, substrings: CROP_KEYS.map((k) => ({ ...k, radius: 0 })) });
}

/** Table t of buildCropIndex alone, so a caller can move each table elsewhere before building the next. */
export function buildCropTable(full: HashColumns, t: number): CropTable {
  return buildIndex(full, { radius: 0, substrings: [{ ...CROP_KEYS[t], radius: 0 }] }).tables[0];
}

export type CropSearchOptions = {
  /** Largest total Hamming distance between a window and a full frame. */
  radius: number;
  /** Weak bits flipped per key (all 2^n combinations are probed): 3 → 24 probes per window. */
  weakBits: number;
  /** Photos (index positions) whose full frame must not be matched, e.g. no crop hash stored. */
  skip?: Uint8Array;
};

/**
 * Probes, for each window and key, the buckets reached by flipping any subset of the window's weakest bits in
 * that key: a crop's full frame differs from the nearest window mostly in bits near the median. Reports
 * (window owner, matched photo, distance, window) for every full frame within `radius` of a window; the same
 * pair can be reported by several keys or windows, in no particular order. Cost: windows × 3 × 2^weakBits
 * bucket probes. A probe straight into a 10M-photo table missed the cache every time (~300 ns each here), so
 * each table's probes are sorted by bucket first and the table is read in order (cropProbes.ts: ~40 ns of
 * CPU per probe at 10M photos). Pass large batches (~100,000 photos): they share one read of each table.
 */
export function searchWindows(
  index: { tables: CropTable[] },
  w: WindowColumns,
  o: CropSearchOptions,
  sink: CropSink,
  scratch?: ProbeScratch,
): number {
  if (!Number.isInteger(o.weakBits) || o.weakBits < 0 || o.weakBits > WEAK_PER_KEY)
    throw new Error(`weakBits must be 0..${WEAK_PER_KEY}`);
  const s = scratch ?? probeScratch(w.count, o.weakBits);
  const pass = Math.min(MAX_PASS_WINDOWS, s.packed.length >> o.weakBits);
  if (pass === 0) throw new Error('probe scratch too small for these weak bits');
  let probes = 0;
  for (let from = 0; from < w.count; from += pass) {
    const to = Math.min(w.count, from + pass);
    index.tables.forEach((table, t) => {
      probes += probeTable(table, t, w, from, to, o, s, sink);
    });
  }
  return probes;
}

export type CropPair = [original: number, crop: number, distance: number, window: number];

/** Collects sink calls into one pair per (original, crop), keeping the closest window (the lowest on ties). */
export function cropPairCollector(): { sink: CropSink; pairs: () => CropPair[] } {
  const best = new Map<string, CropPair>();
  return {
    sink: (i, j, d, win) => {
      const key = `${i}:${j}`;
      const prev = best.get(key);
      if (!prev || d < prev[2] || (d === prev[2] && win < prev[3])) best.set(key, [i, j, d, win]);
    },
    pairs: () => [...best.values()],
  };
}
