import { describe, expect, it } from 'vitest';
import { decodeFloat16, encodeFloat16, toHalfBits } from '../../../pipeline/clip/float16.ts';
import { pairsAboveThreshold } from '../../../pipeline/clip/nearDuplicates.ts';
import { classify, verdictFor } from '../../../pipeline/clip/zeroShot.ts';

describe('float16 storage', () => {
  it('encodes known values and round-trips unit vectors closely', () => {
    expect(toHalfBits(1)).toBe(0x3c00);
    expect(toHalfBits(-2)).toBe(0xc000);
    expect(toHalfBits(65520)).toBe(0x7c00);
    expect(toHalfBits(2 ** -24)).toBe(1);
    const v = Float32Array.from({ length: 512 }, (_, i) => Math.sin(i) / 16);
    const back = decodeFloat16(encodeFloat16(v));
    expect(encodeFloat16(v).length).toBe(1024);
    v.forEach((x, i) => {
      expect(Math.abs(back[i] - x)).toBeLessThan(1e-4);
    });
  });
});

function unit(values: number[]): Float32Array {
  const n = Math.hypot(...values);
  return Float32Array.from(values, (v) => v / n);
}

describe('near-duplicate pairs', () => {
  it('finds every pair above the threshold across block boundaries, each once', async () => {
    const dim = 8;
    const vectors: Float32Array[] = [];
    for (let i = 0; i < 9; i++)
      vectors.push(unit(Array.from({ length: dim }, (_, d) => (d === i % dim ? 1 : 0.01 * d))));
    // 8 is a copy of 0 (same direction), so (p0, p8) is the only near pair.
    const store = { ids: vectors.map((_, i) => `p${i}`), halves: vectors.map((v) => encodeFloat16(v)), dim };
    for (const block of [2, 3, 100]) {
      const pairs = await pairsAboveThreshold(store, 0.95, block);
      expect(pairs.map((p) => `${p.a}-${p.b}`)).toEqual(['p0-p8']);
      expect(pairs[0].similarity).toBeCloseTo(1, 3);
    }
  });
});

describe('zero-shot scores and verdicts', () => {
  it('adds flagged classes’ softmax probabilities at the logit scale', () => {
    const classes = {
      names: ['photo', 'drawing', 'map'],
      flagged: [false, true, true],
      dim: 2,
      matrix: Float32Array.from([1, 0, 0, 1, 0, 1]),
    };
    const c = classify(unit([1, 1]), classes, 100);
    expect(c.score).toBeCloseTo(2 / 3, 5);
    const sharp = classify(unit([1, 0]), classes, 100);
    expect(sharp.score).toBeLessThan(1e-6);
    expect(sharp.probabilities[0].name).toBe('photo');
  });

  it('fails at the fail threshold, sends the middle to review, passes below', () => {
    const t = { fail: 0.8, uncertain: 0.5 };
    expect(verdictFor(0.8, t)).toBe('fail');
    expect(verdictFor(0.79, t)).toBe('uncertain');
    expect(verdictFor(0.5, t)).toBe('uncertain');
    expect(verdictFor(0.49, t)).toBe('pass');
  });
});
