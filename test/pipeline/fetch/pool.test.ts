// The fetch pool: a failure stops it from starting more items and is thrown once the items in flight have settled.
import { describe, expect, it } from 'vitest';
import { mapPool } from '../../../pipeline/fetch/pool.ts';

const tick = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('mapPool', () => {
  it('keeps order and runs at most `concurrency` at once', async () => {
    let running = 0;
    let most = 0;
    const out = await mapPool([5, 1, 4, 2, 3], 2, async (x) => {
      most = Math.max(most, ++running);
      await tick(x * 3);
      running--;
      return x * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30]);
    expect(most).toBe(2);
  });

  it('after a failure starts nothing more and throws only when the items in flight are done', async () => {
    const started: number[] = [];
    const finished: number[] = [];
    const err = await mapPool([0, 1, 2, 3, 4, 5], 3, async (x) => {
      started.push(x);
      if (x === 0) {
        await tick(5);
        throw new Error('disk full');
      }
      await tick(40);
      finished.push(x);
      return x;
    }).then(
      () => null,
      (e: Error) => e,
    );
    expect(err?.message).toBe('disk full');
    // Items 1 and 2 were in flight when item 0 failed: they finished before the pool gave up; none started after.
    expect(started).toEqual([0, 1, 2]);
    expect(finished.sort()).toEqual([1, 2]);
  });
});
