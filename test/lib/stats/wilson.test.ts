import { describe, expect, it } from 'vitest';
import { wilsonInterval } from '../../../lib/stats/wilson.ts';

describe('wilsonInterval', () => {
  // Reference values from published Wilson score tables (Newcombe 1998, Wikipedia's 81/263 example).
  it.each([
    [0, 10, 0, 0.2775],
    [5, 10, 0.2366, 0.7634],
    [10, 10, 0.7225, 1],
    [1, 50, 0.0035, 0.105],
    [3, 50, 0.0206, 0.1622],
    [81, 263, 0.2553, 0.3662],
  ])('%i of %i gives [%f, %f]', (count, n, low, high) => {
    const w = wilsonInterval(count, n);
    expect(w.share).toBeCloseTo(count / n, 10);
    expect(w.low).toBeCloseTo(low, 4);
    expect(w.high).toBeCloseTo(high, 4);
  });

  it('stays inside [0, 1] and contains the observed share', () => {
    for (let n = 1; n <= 60; n++) {
      for (let c = 0; c <= n; c++) {
        const w = wilsonInterval(c, n);
        expect(w.low).toBeGreaterThanOrEqual(0);
        expect(w.high).toBeLessThanOrEqual(1);
        expect(w.low).toBeLessThanOrEqual(c / n);
        expect(w.high).toBeGreaterThanOrEqual(c / n);
      }
    }
  });

  it('knows nothing from an empty sample and refuses impossible counts', () => {
    expect(wilsonInterval(0, 0)).toMatchObject({ low: 0, high: 1 });
    expect(() => wilsonInterval(6, 5)).toThrow(RangeError);
    expect(() => wilsonInterval(-1, 5)).toThrow(RangeError);
  });
});
