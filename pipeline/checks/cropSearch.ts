// Crop candidates: each photo's window hashes are looked up in an index of every photo's full-frame crop hash.
import { CROP_KEYS, WEAK_PER_KEY } from './cropHash.ts';
import { buildIndex, substringKey, type HashColumns, type MihIndex } from './dedupIndex.ts';
import { popcount32 } from './phash.ts';

/** The full-frame crop hashes in three tables keyed by CROP_KEYS (the window's weak bits refer to them). */
export function buildCropIndex(full: HashColumns): MihIndex {
  return buildIndex(full, { radius: 0, substrings: CROP_KEYS.map((k) => ({ ...k, radius: 0 })) });
}

/** A batch of window hashes to look up, as columns: `owner` is the photo (index position) each belongs to. */
export type WindowColumns = { count: number; hi: Uint32Array; lo: Uint32Array; weakHi: Uint32Array; weakLo: Uint32Array; owner: Uint32Array; window: Uint8Array };

export type CropSearchOptions = {
  /** Largest total Hamming distance between a window and a full frame. */
  radius: number;
  /** Weak bits flipped per key (all 2^n combinations are probed): 3 → 24 probes per window. */
  weakBits: number;
  /** Photos (index positions) whose full frame must not be matched, e.g. no crop hash stored. */
  skip?: Uint8Array;
};

export type CropSink = (original: number, crop: number, distance: number, window: number) => void;

/**
 * Probes, for each window and key, the buckets reached by flipping any subset of the window's weakest bits in
 * that key: a crop's full frame differs from the nearest window mostly in bits near the median. Reports
 * (window owner, matched photo, distance, window) for every full frame within `radius` of a window; the same
 * pair can be reported by several keys or windows. Cost: windows × 3 × 2^weakBits bucket probes.
 */
export function searchWindows(index: MihIndex, w: WindowColumns, o: CropSearchOptions, sink: CropSink): number {
  let probes = 0;
  const flips = new Int32Array(1 << o.weakBits);
  for (let t = 0; t < index.tables.length; t++) {
    const { offsets, ids, hashes: h, start, bits } = index.tables[t];
    for (let q = 0; q < w.count; q++) {
      const qh = w.hi[q];
      const ql = w.lo[q];
      for (let n = 0; n < o.weakBits; n++) {
        const s = t * WEAK_PER_KEY + n;
        const off = s < 6 ? (w.weakLo[q] >>> (5 * s)) & 31 : (w.weakHi[q] >>> (5 * (s - 6))) & 31;
        const bit = 1 << (bits - 1 - off);
        for (let f = 0; f < 1 << n; f++) flips[f | (1 << n)] = flips[f] ^ bit;
      }
      const key = substringKey(qh, ql, start, bits);
      const owner = w.owner[q];
      for (let f = 0; f < flips.length; f++) {
        const b = (key ^ flips[f]) >>> 0;
        probes++;
        const e = offsets[b + 1];
        for (let p = offsets[b]; p < e; p++) {
          const d = popcount32(qh ^ h[2 * p]) + popcount32(ql ^ h[2 * p + 1]);
          if (d > o.radius) continue;
          const j = ids[p];
          if (j !== owner && !o.skip?.[j]) sink(owner, j, d, w.window[q]);
        }
      }
    }
  }
  return probes;
}

export type CropPair = [original: number, crop: number, distance: number, window: number];

/** Collects sink calls into one pair per (original, crop), keeping the closest window. */
export function cropPairCollector(): { sink: CropSink; pairs: () => CropPair[] } {
  const best = new Map<string, CropPair>();
  return {
    sink: (i, j, d, win) => {
      const key = `${i}:${j}`;
      const prev = best.get(key);
      if (!prev || d < prev[2]) best.set(key, [i, j, d, win]);
    },
    pairs: () => [...best.values()],
  };
}
