// Picks the analysis-size image of a photo: Flickr's 1024 px rendition, else the largest offered below it.

import type { PhotoUrls } from '../../lib/domain/fetchOutcome.ts';

export const ANALYSIS_LONG_SIDE = 1024;

const ORDER = [
  ['b', 'urlB'],
  ['c', 'urlC'],
  ['z', 'urlZ'],
  ['m', 'urlM'],
  ['o', 'urlO'],
] as const;

function longSide(sizes: unknown, key: string): number | null {
  const v = (sizes as Record<string, unknown> | null)?.[key];
  return Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'number'
    ? Math.max(v[0], v[1])
    : null;
}

/** The URL to download for analysis, or null when the photo offers no image at all. */
export function analysisUrl(p: PhotoUrls): string | null {
  const offered = ORDER.filter(([, field]) => p[field]).map(([key, field]) => ({
    url: p[field]!,
    long: longSide(p.sizes, key),
  }));
  if (offered.length === 0) return null;
  const known = offered.filter((o) => o.long !== null && o.long <= ANALYSIS_LONG_SIDE);
  if (known.length) return known.reduce((a, b) => (b.long! > a.long! ? b : a)).url;
  // Without sizes, Flickr's ladder order already runs from 1024 px down; the original comes last (it may be huge).
  return offered[0].url;
}
