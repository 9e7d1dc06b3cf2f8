import { describe, expect, it } from 'vitest';
import { CROP_KEYS, WEAK_PER_KEY } from '../../../pipeline/fingerprints/cropHash.ts';
import { probeScratch, type WindowColumns } from '../../../pipeline/checks/cropProbes.ts';
import {
  buildCropIndex,
  cropPairCollector,
  searchWindows,
  type CropPair,
} from '../../../pipeline/checks/cropSearch.ts';
import { startCropSearch, windowColumns } from '../../../pipeline/checks/cropSearchPool.ts';
import { substringKey, type HashColumns } from '../../../pipeline/checks/dedupIndex.ts';
import { popcount32 } from '../../../pipeline/fingerprints/phash.ts';

const RADIUS = 8;

function rng(seed: number) {
  let s = seed;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s ^ (s >>> 15)) >>> 0;
  };
}

const flip = (h: [number, number], bit: number) => {
  if (bit < 32) h[0] = (h[0] ^ (1 << (31 - bit))) >>> 0;
  else h[1] = (h[1] ^ (1 << (63 - bit))) >>> 0;
};

function packWeak(offsets: number[][]): [hi: number, lo: number] {
  let hi = 0;
  let lo = 0;
  offsets.forEach((os, key) => {
    os.forEach((o, n) => {
      const s = key * WEAK_PER_KEY + n;
      if (s < 6) lo |= o << (5 * s);
      else hi |= o << (5 * (s - 6));
    });
  });
  return [hi >>> 0, lo >>> 0];
}

type Universe = { full: HashColumns; w: WindowColumns; skip: Uint8Array };

/**
 * Frames in clusters that share keys (so buckets hold several frames), and windows that are copies of some frame
 * with weak bits, other key bits and free bits flipped, at distances on both sides of the radius, plus windows
 * whose weak offsets repeat or lie past the key. Some windows copy their own photo's frame, some frames are skipped.
 */
function universe(seed: number, photos: number): Universe {
  const next = rng(seed);
  const full: HashColumns = { hi: new Uint32Array(photos), lo: new Uint32Array(photos), count: photos };
  for (let i = 0; i < photos; i++) {
    if (i % 5 !== 0) {
      const h: [number, number] = [full.hi[i - (i % 5)], full.lo[i - (i % 5)]];
      for (let k = 0; k < 1 + (next() % 12); k++) flip(h, next() % 64);
      [full.hi[i], full.lo[i]] = h;
    } else {
      full.hi[i] = next();
      full.lo[i] = next();
    }
  }
  const skip = new Uint8Array(photos);
  for (let i = 0; i < photos; i += 37) skip[i] = 1;
  const w = windowColumns(photos * 9);
  for (let i = 0; i < photos; i++) {
    for (let win = 0; win < 9; win++) {
      const q = w.count++;
      const offsets = CROP_KEYS.map((k) => {
        const out: number[] = [];
        while (out.length < WEAK_PER_KEY) {
          const o = next() % k.bits;
          if (!out.includes(o)) out.push(o);
        }
        if (next() % 40 === 0) out[1] = out[0];
        if (next() % 40 === 0) out[2] = k.bits + (next() % (32 - k.bits));
        return out;
      });
      const source = win === 0 && i % 7 === 0 ? i : next() % photos;
      const h: [number, number] = next() % 3 === 0 ? [next(), next()] : [full.hi[source], full.lo[source]];
      CROP_KEYS.forEach((k, t) => {
        for (const o of offsets[t]) if (o < k.bits && next() % 2) flip(h, k.start + o);
      });
      for (let k = 0; k < next() % 7; k++) flip(h, next() % 64);
      [w.hi[q], w.lo[q]] = h;
      [w.weakHi[q], w.weakLo[q]] = packWeak(offsets);
      w.owner[q] = i;
      w.window[q] = win;
    }
  }
  return { full, w, skip };
}

/** The definition, pair by pair: a frame is reached in key t when its key differs from the window's only by a XOR of some of the window's weak bits. */
function bruteForce({ full, w, skip }: Universe, weakBits: number): CropPair[] {
  const collect = cropPairCollector();
  for (let q = 0; q < w.count; q++) {
    const reach = CROP_KEYS.map((k, t) => {
      const masks = new Set([0]);
      for (let n = 0; n < weakBits; n++) {
        const s = t * WEAK_PER_KEY + n;
        const off = s < 6 ? (w.weakLo[q] >>> (5 * s)) & 31 : (w.weakHi[q] >>> (5 * (s - 6))) & 31;
        if (off >= k.bits) continue;
        for (const m of [...masks]) masks.add(m ^ (1 << (k.bits - 1 - off)));
      }
      return masks;
    });
    for (let j = 0; j < full.count; j++) {
      if (j === w.owner[q] || skip[j]) continue;
      const d = popcount32(w.hi[q] ^ full.hi[j]) + popcount32(w.lo[q] ^ full.lo[j]);
      if (d > RADIUS) continue;
      const reached = CROP_KEYS.some((k, t) =>
        reach[t].has(
          substringKey(w.hi[q], w.lo[q], k.start, k.bits) ^
            substringKey(full.hi[j], full.lo[j], k.start, k.bits),
        ),
      );
      if (reached) collect.sink(w.owner[q], j, d, w.window[q]);
    }
  }
  return sorted(collect.pairs());
}

const sorted = (pairs: CropPair[]) => [...pairs].sort((a, b) => a[0] - b[0] || a[1] - b[1]);

function search(u: Universe, weakBits: number, windowsPerPass?: number): CropPair[] {
  const collect = cropPairCollector();
  const scratch = windowsPerPass ? probeScratch(windowsPerPass, weakBits) : undefined;
  searchWindows(
    buildCropIndex(u.full),
    u.w,
    { radius: RADIUS, weakBits, skip: u.skip },
    collect.sink,
    scratch,
  );
  return sorted(collect.pairs());
}

describe('bucket-sorted crop probing', () => {
  const u = universe(11, 1500);

  it('finds exactly the pairs a pair-by-pair reference finds, for every number of weak bits', () => {
    for (const weakBits of [0, 2, 4]) {
      const expected = bruteForce(u, weakBits);
      expect(expected.length, `weak bits ${weakBits}: the universe has pairs to find`).toBeGreaterThan(500);
      expect(search(u, weakBits), `weak bits ${weakBits}`).toEqual(expected);
    }
  });

  it('gives the same pairs when a batch is cut into several passes', () => {
    expect(search(u, 4, 1000)).toEqual(search(u, 4));
  });

  it('reports nothing past the radius, for the owner or for skipped frames', () => {
    const pairs = search(u, 4);
    expect(pairs.every(([i, j, d]) => d <= RADIUS && i !== j && !u.skip[j])).toBe(true);
  });

  it('gives the same pairs from worker threads as in the calling thread', async () => {
    for (const threads of [0, 2]) {
      const collect = cropPairCollector();
      const searcher = await startCropSearch(
        u.full,
        { radius: RADIUS, weakBits: 4, skip: u.skip },
        collect.sink,
        { threads, capacity: 4000 },
      );
      // Batches cut mid-photo and a last partial one, as the duplicate step streams them.
      for (let from = 0; from < u.w.count; from += 4000) {
        const b = await searcher.next();
        for (let q = from; q < Math.min(u.w.count, from + 4000); q++) {
          const k = b.count++;
          b.hi[k] = u.w.hi[q];
          b.lo[k] = u.w.lo[q];
          b.weakHi[k] = u.w.weakHi[q];
          b.weakLo[k] = u.w.weakLo[q];
          b.owner[k] = u.w.owner[q];
          b.window[k] = u.w.window[q];
        }
        searcher.submit(b);
      }
      expect(await searcher.finish(), `threads ${threads}: probes`).toBeGreaterThan(u.w.count * 3 * 8);
      expect(sorted(collect.pairs()), `threads ${threads}`).toEqual(bruteForce(u, 4));
    }
  }, 60_000);
});
