import { describe, expect, it } from 'vitest';
import {
  buildIndex,
  planIndex,
  selfJoin,
  substringKey,
  type HashColumns,
} from '../../../pipeline/checks/dedupIndex.ts';
import { popcount32 } from '../../../pipeline/fingerprints/phash.ts';

function randomHashes(count: number, seed: number): HashColumns {
  let s = seed;
  const next = () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return (s ^ (s >>> 15)) >>> 0;
  };
  const hi = new Uint32Array(count);
  const lo = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    hi[i] = next();
    lo[i] = next();
  }
  return { hi, lo, count };
}

function bruteForce(h: HashColumns, r: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < h.count; i++) {
    for (let j = i + 1; j < h.count; j++) {
      const d = popcount32((h.hi[i] ^ h.hi[j]) >>> 0) + popcount32((h.lo[i] ^ h.lo[j]) >>> 0);
      if (d <= r) out.push(`${i}-${j}-${d}`);
    }
  }
  return out.sort();
}

describe('multi-index hashing', () => {
  it('extracts substrings across the 32-bit halves', () => {
    expect(substringKey(0xf0000000, 0, 0, 4)).toBe(0xf);
    expect(substringKey(0x00000003, 0xc0000000, 30, 4)).toBe(0xf);
    expect(substringKey(0, 0x0000000f, 60, 4)).toBe(0xf);
  });

  it('finds exactly the pairs brute force finds, each once, for several radii and table counts', () => {
    const h = randomHashes(3000, 7);
    // Plant near copies at every distance up to 9 so that each radius has pairs at its edge.
    for (let k = 0; k < 300; k++) {
      const src = k * 7;
      const dst = 2000 + k;
      let hi = h.hi[src];
      let lo = h.lo[src];
      for (let b = 0; b < k % 10; b++) {
        const bit = (k * 13 + b * 29) % 64;
        if (bit < 32) hi = (hi ^ (1 << bit)) >>> 0;
        else lo = (lo ^ (1 << (bit - 32))) >>> 0;
      }
      h.hi[dst] = hi;
      h.lo[dst] = lo;
    }
    for (const [radius, m] of [
      [0, 4],
      [4, 3],
      [6, 3],
      [6, 5],
      [8, 4],
    ] as const) {
      const found: string[] = [];
      selfJoin(buildIndex(h, planIndex(h.count, radius, m)), (i, j, d) => found.push(`${i}-${j}-${d}`));
      expect(found.sort(), `radius ${radius}, ${m} substrings`).toEqual(bruteForce(h, radius));
    }
  });

  it('drops tables that cannot hold a match and gives the wider substrings the larger radius', () => {
    const plan = planIndex(10_000_000, 6);
    expect(plan.substrings.map((s) => [s.bits, s.radius])).toEqual([
      [22, 2],
      [21, 1],
      [21, 1],
    ]);
    expect(planIndex(1000, 2, 6).substrings.length).toBe(3);
  });
});
