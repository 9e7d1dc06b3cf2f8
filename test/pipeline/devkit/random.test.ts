// The development kit's one RNG keeps the streams its three predecessors produced, so universes, synthetic watermark
// accounts and the test CLIP model (and every figure measured on them) stay the same.
import { describe, expect, it } from 'vitest';
import { createRng, watermarkRng } from '../../../pipeline/devkit/random.ts';

describe('devkit RNG', () => {
  it('gives the universe generator its old stream for a string seed', () => {
    const r = createRng('universe:1');
    expect([r.next(), r.next()]).toEqual([0.22082012449391186, 0.07835501246154308]);
  });

  it('gives the synthetic watermark accounts their old FNV-seeded stream', () => {
    const r = watermarkRng('gaussians');
    expect([r.next(), r.next()]).toEqual([0.5729367008898407, 0.9979573185555637]);
  });

  it('gives the test CLIP model its old numeric-seeded weights', () => {
    expect(createRng(99).next()).toBe(0.2604658124037087);
  });

  it('draws integers within bounds and shuffles to a permutation', () => {
    const r = createRng(7);
    const ints = Array.from({ length: 1000 }, () => r.int(3, 5));
    expect(new Set(ints)).toEqual(new Set([3, 4, 5]));
    expect(r.shuffle(Array.from({ length: 20 }, (_, i) => i)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 20 }, (_, i) => i),
    );
  });
});
