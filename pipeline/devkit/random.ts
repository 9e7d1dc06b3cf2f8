// The development kit's one seeded random number generator: the same seed gives the same universe, synthetic
// watermark accounts and test CLIP model on every machine. Product code never uses it (test/layers.test.ts).

/** 32-bit hash of a string (cyrb53-style mixing, truncated) used to derive seeds. */
export function hashSeed(text: string): number {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ c, 2654435761);
    h2 = Math.imul(h2 ^ c, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  return h1 >>> 0;
}

/** FNV-1a: the 32-bit string hash the synthetic watermark accounts were seeded with (see watermarkRng). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export type Rng = {
  /** Uniform in [0, 1). */
  next: () => number;
  range: (lo: number, hi: number) => number;
  /** Integer in [min, max], both inclusive. */
  int: (min: number, max: number) => number;
  pick: <T>(items: readonly T[]) => T;
  chance: (p: number) => boolean;
  /** Standard normal (Box–Muller). */
  normal: () => number;
  /** Fisher–Yates, in place. */
  shuffle: <T>(items: T[]) => T[];
  hex: (length: number) => string;
};

/** mulberry32: tiny, fast, and good enough for synthetic data. Strings are hashed with hashSeed. */
export function createRng(seed: number | string): Rng {
  let a = typeof seed === 'string' ? hashSeed(seed) : seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    range: (lo, hi) => lo + (hi - lo) * next(),
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)],
    chance: (p) => next() < p,
    normal: () => {
      const u = Math.max(next(), 1e-12);
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * next());
    },
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor((i + 1) * next());
        [items[i], items[j]] = [items[j], items[i]];
      }
      return items;
    },
    hex: (length) => {
      let s = '';
      while (s.length < length) s += Math.floor(next() * 16).toString(16);
      return s;
    },
  };
}

/**
 * The generator as the synthetic watermark accounts seed it (FNV-1a of a name, never a zero state), so the accounts
 * the watermark detector was measured and tuned on stay exactly the same.
 */
export function watermarkRng(seed: number | string): Rng {
  return createRng((typeof seed === 'string' ? fnv1a(seed) : seed >>> 0) || 0x9e3779b9);
}
