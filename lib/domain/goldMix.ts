// Mixing known-answer photos into a spot-check's sample so that no item's place tells it apart.
import { createHash } from 'node:crypto';

/** A photo's seeded key: md5(seed || ':' || photo_id) in hex, as PostgreSQL computes it (positions, known-answer picks). */
export function sampleKey(seed: string, photoId: string): string {
  return createHash('md5').update(`${seed}:${photoId}`).digest('hex');
}

/** How many known-answer items a sample of `size` (drawn from `drawn` photos) gets at `rate`, given `available`. */
export function goldCount(size: number, drawn: number, rate: number, available: number): number {
  return Math.max(0, Math.min(available, Math.round(rate * Math.min(size, drawn))));
}

export type MixedItem = { photoId: string; gold: boolean };

/** Where an item sits in a sample: a seeded shuffle of its own, unrelated to which photos were drawn. */
export function positionKey(seed: string, photoId: string): string {
  return sampleKey(`${seed}:position`, photoId);
}

/**
 * `drawn`: the population's draw in sample order (at most `size`); `gold`: the known-answer photos picked for this
 * sample (none of them drawn). The sample keeps the first size − gold drawn photos, then orders every item by
 * positionKey. Not in draw order: drawn photos are the first in the draw's order, so a known-answer photo would always
 * come last.
 */
export function mixGold(
  seed: string,
  drawn: readonly string[],
  gold: readonly string[],
  size: number,
): MixedItem[] {
  const real = drawn.slice(0, Math.max(0, size - gold.length));
  const items = [
    ...real.map((photoId) => ({ photoId, gold: false, key: positionKey(seed, photoId) })),
    ...gold.map((photoId) => ({ photoId, gold: true, key: positionKey(seed, photoId) })),
  ];
  items.sort((a, b) =>
    a.key < b.key ? -1 : a.key > b.key ? 1 : a.photoId < b.photoId ? -1 : a.photoId > b.photoId ? 1 : 0,
  );
  return items.map(({ photoId, gold }) => ({ photoId, gold }));
}
