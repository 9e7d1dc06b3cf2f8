// Verifies crop candidates on stored thumbnails: aligns the crop inside the other photo and keeps the pair when they then agree.
import sharp from 'sharp';
import { readImage } from '../fetch/imageStore.ts';
import { mapPool } from '../fetch/pool.ts';
import { alignCrop } from './alignCrop.ts';
import { FULL_WINDOW } from '../fingerprints/cropHash.ts';
import type { CropPair } from './cropSearch.ts';
import { CROP_DIFF_THRESHOLD } from './duplicateConfig.ts';
import { lumaIntegral, type LumaIntegral } from '../fingerprints/lumaWindows.ts';
import type { UnionFind } from './unionFind.ts';

/** Luma table of a stored thumbnail, or null when it is missing or unreadable. */
export async function thumbLuma(contentHash: string, dataDir?: string): Promise<LumaIntegral | null> {
  const bytes = await readImage('thumbs', contentHash, dataDir);
  if (!bytes) return null;
  try {
    const { data, info } = await sharp(bytes).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    return lumaIntegral(
      new Uint8Array(data.buffer, data.byteOffset, data.length),
      info.width,
      info.height,
      info.channels,
    );
  } catch {
    return null;
  }
}

export type VerifiedCrop = { pair: CropPair; difference: number };

/**
 * `joined`: the clusters so far (verified near-duplicate pairs); pairs inside one are skipped, kept pairs join.
 * Keeps the pairs whose crop, aligned inside the original's thumbnail, differs by at most the threshold.
 * Identical content passes without decoding; a missing thumbnail rejects the pair (the window hash alone is
 * weaker evidence than a full-frame pHash match). Pairs are taken in original order so each thumbnail is
 * decoded about once while the cache stays small.
 */
export async function verifyCrops(
  pairs: CropPair[],
  contentHashOf: (i: number) => string | undefined,
  opts: {
    dataDir?: string;
    threshold?: number;
    concurrency?: number;
    joined?: UnionFind;
    /** Candidates looked at so far of all (a finishing step's progress note). */
    onProgress?: (done: number, total: number) => void;
  } = {},
): Promise<{ kept: VerifiedCrop[]; rejected: number; skipped: number }> {
  const threshold = opts.threshold ?? CROP_DIFF_THRESHOLD;
  const sorted = [...pairs].sort((p, q) => p[0] - q[0] || p[1] - q[1]);
  const cache = new Map<string, Promise<LumaIntegral | null>>();
  const luma = (hash: string) => {
    let g = cache.get(hash);
    if (!g) {
      if (cache.size > 512) cache.delete(cache.keys().next().value!);
      cache.set(hash, (g = thumbLuma(hash, opts.dataDir)));
    }
    return g;
  };
  const joined = opts.joined;
  let skipped = 0;
  let done = 0;
  opts.onProgress?.(0, sorted.length);
  const results = await mapPool(sorted, opts.concurrency ?? 4, async (pair) => {
    const r = await verifyOne(pair);
    opts.onProgress?.(++done, sorted.length);
    return r;
  });
  async function verifyOne(pair: CropPair): Promise<VerifiedCrop | null> {
    // Photos already in one cluster gain nothing from another pair: a group of copies of one photo brings
    // every pair of them (each variant's window meets each other's frame), and alignment is the costly part.
    if (joined && joined.find(pair[0]) === joined.find(pair[1])) {
      skipped++;
      return null;
    }
    const a = contentHashOf(pair[0]);
    const b = contentHashOf(pair[1]);
    if (!a || !b) return null;
    if (a === b) {
      joined?.union(pair[0], pair[1]);
      return { pair, difference: 0 };
    }
    const [la, lb] = await Promise.all([luma(a), luma(b)]);
    if (!la || !lb) return null;
    // A full-frame match says nothing about which photo is the larger: the other one may hold this one.
    let { difference } = alignCrop(la, lb);
    if (difference > threshold && pair[3] === FULL_WINDOW)
      difference = Math.min(difference, alignCrop(lb, la).difference);
    if (difference > threshold) return null;
    joined?.union(pair[0], pair[1]);
    return { pair, difference };
  }
  const kept = results.filter((r): r is VerifiedCrop => r !== null);
  return { kept, rejected: pairs.length - kept.length - skipped, skipped };
}
