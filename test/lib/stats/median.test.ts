// The one median: an observed value (the upper middle for an even count), 0 for nothing, input left unsorted.
import { describe, expect, it } from 'vitest';
import { median } from '../../../lib/stats/median.ts';

describe('median', () => {
  it('takes the middle value, the upper of the two middles for an even count, and 0 for none', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(3);
    expect(median([])).toBe(0);
  });

  it('leaves its input as it was', () => {
    const values = [3, 1, 2];
    median(values);
    expect(values).toEqual([3, 1, 2]);
  });
});
