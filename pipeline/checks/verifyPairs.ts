// Verifies near-duplicate candidates on their stored thumbnails, so look-alike layouts (screenshots) that share a pHash drop out.
import sharp from 'sharp';
import { readImage } from '../fetch/imageStore.ts';
import { mapPool } from '../fetch/pool.ts';
import { PIXEL_DIFF_THRESHOLD } from './duplicateConfig.ts';

const SIDE = 64;
const BLOCK = 8;

/** 64×64 greyscale of a stored thumbnail, or null when the thumbnail is missing or unreadable. */
export async function thumbGrey(contentHash: string, dataDir?: string): Promise<Uint8Array | null> {
  const bytes = await readImage('thumbs', contentHash, dataDir);
  if (!bytes) return null;
  try {
    const { data } = await sharp(bytes)
      .greyscale()
      .resize(SIDE, SIDE, { fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    return new Uint8Array(data.buffer, data.byteOffset, data.length);
  } catch {
    return null;
  }
}

/**
 * Largest mean absolute difference over 8×8 blocks of the 64×64 renderings. Re-encoding noise spreads
 * thinly over the whole frame; a different photo that shares a layout differs strongly somewhere.
 */
export function blockDifference(a: Uint8Array, b: Uint8Array): number {
  let worst = 0;
  for (let by = 0; by < SIDE; by += BLOCK) {
    for (let bx = 0; bx < SIDE; bx += BLOCK) {
      let s = 0;
      for (let y = by; y < by + BLOCK; y++)
        for (let x = bx; x < bx + BLOCK; x++) s += Math.abs(a[y * SIDE + x] - b[y * SIDE + x]);
      worst = Math.max(worst, s / (BLOCK * BLOCK));
    }
  }
  return worst;
}

/**
 * Keeps the candidate pairs whose thumbnails agree within the threshold. Identical content hashes pass
 * without decoding; a pair with a missing thumbnail is kept on the pHash evidence alone.
 */
export async function verifyPairs<P extends [number, number, number]>(
  pairs: P[],
  contentHashOf: (i: number) => string | undefined,
  opts: {
    dataDir?: string;
    threshold?: number;
    concurrency?: number;
    /** Pairs compared so far of all (a finishing step's progress note). */
    onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<{ kept: P[]; rejected: number }> {
  const threshold = opts.threshold ?? PIXEL_DIFF_THRESHOLD;
  const cache = new Map<string, Promise<Uint8Array | null>>();
  const grey = (hash: string) => {
    let g = cache.get(hash);
    if (!g) cache.set(hash, (g = thumbGrey(hash, opts.dataDir)));
    return g;
  };
  let done = 0;
  opts.onProgress?.(0, pairs.length);
  const ok = await mapPool(pairs, opts.concurrency ?? 4, async ([i, j]) => {
    const a = contentHashOf(i);
    const b = contentHashOf(j);
    let same = true;
    if (a && b && a !== b) {
      const [ga, gb] = await Promise.all([grey(a), grey(b)]);
      same = !ga || !gb || blockDifference(ga, gb) <= threshold;
    }
    opts.onProgress?.(++done, pairs.length);
    return same;
  });
  const kept = pairs.filter((_, k) => ok[k]);
  return { kept, rejected: pairs.length - kept.length };
}
