// Resolution check: fails photos whose original is under the minimum size on either side.
import type { CheckOutcome } from '../../lib/domain/checkOutcome.ts';
import { configHash } from './version.ts';

export const NAME = 'resolution';
// The minimum is a setting (MIN_RESOLUTION, lib/settings.ts), resolved per run: the version names it.
export const versionFor = (minSide: number) => `1:${configHash({ minSide })}`;

export type ResolutionInput = {
  originalWidth: number | null;
  originalHeight: number | null;
  /** { o: [w, h], b: [w, h], ... } */
  sizes: unknown;
  imageWidth?: number | null;
  imageHeight?: number | null;
};

/** The original's size when Flickr gives it, else the largest size offered, else the fetched image's. */
export function knownSize(p: ResolutionInput): { width: number; height: number; source: string } | null {
  if (p.originalWidth && p.originalHeight)
    return { width: p.originalWidth, height: p.originalHeight, source: 'original' };
  let best: { width: number; height: number; source: string } | null = null;
  for (const [key, v] of Object.entries((p.sizes ?? {}) as Record<string, unknown>)) {
    if (!Array.isArray(v) || typeof v[0] !== 'number' || typeof v[1] !== 'number') continue;
    if (!best || v[0] * v[1] > best.width * best.height)
      best = { width: v[0], height: v[1], source: `size_${key}` };
  }
  if (best) return best;
  if (p.imageWidth && p.imageHeight) return { width: p.imageWidth, height: p.imageHeight, source: 'fetched' };
  return null;
}

export function evaluate(p: ResolutionInput, minSide: number): CheckOutcome {
  const size = knownSize(p);
  if (!size) return { verdict: 'uncertain', score: null, details: { reason: 'no size known', minSide } };
  const short = Math.min(size.width, size.height);
  const details = { width: size.width, height: size.height, source: size.source, minSide };
  return short < minSide
    ? { verdict: 'fail', score: short / minSide, details }
    : { verdict: 'pass', score: short / minSide, details };
}
