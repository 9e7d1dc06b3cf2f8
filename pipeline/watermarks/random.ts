// The watermark check's own seeded shuffle, so an account's photo sample is the same on every run. (The development
// kit's generators have their own RNG in pipeline/devkit/random.ts; product code does not import the kit.)

/** FNV-1a: a stable 32-bit hash of a string (an nsid and orientation). */
function hashString(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

/** A mulberry32 stream seeded from a name, offering only what sampling needs: a Fisher–Yates shuffle in place. */
export function createRng(seed: string): { shuffle<T>(items: T[]): T[] } {
  let state = hashString(seed) || 0x9e3779b9;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    shuffle: (items) => {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor((i + 1) * next());
        [items[i], items[j]] = [items[j], items[i]];
      }
      return items;
    },
  };
}
