// Lookup tables over a universe for the simulator: photos by id in upload order, accounts by nsid.
import type { Universe, UniverseAccount, UniversePhoto } from '../universe/types.ts';

export type UniverseIndex = {
  /** Sorted by upload date, then id (the order generateUniverse gives). */
  photos: UniversePhoto[];
  byId: Map<string, UniversePhoto>;
  accounts: Map<string, UniverseAccount>;
  photoCounts: Map<string, number>;
};

export function indexUniverse(u: Pick<Universe, 'photos' | 'accounts'>): UniverseIndex {
  const photos = [...u.photos].sort(
    (a, b) =>
      a.dateUpload - b.dateUpload || a.id.length - b.id.length || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0),
  );
  const photoCounts = new Map<string, number>();
  for (const p of photos) photoCounts.set(p.owner, (photoCounts.get(p.owner) ?? 0) + 1);
  return {
    photos,
    byId: new Map(photos.map((p) => [p.id, p])),
    accounts: new Map(u.accounts.map((a) => [a.nsid, a])),
    photoCounts,
  };
}
