// Account queries. Stats kept by ingest: photo counts and rank (1 = most photos, ties broken by nsid).
import { db } from '../db.ts';

/** Recounts photos of the given accounts (all accounts when omitted); writes only counts that changed. */
export async function recountAccountPhotos(nsids?: string[]): Promise<number> {
  if (nsids && nsids.length === 0) return 0;
  return db().$executeRaw`
    UPDATE accounts a SET photo_count = coalesce(c.n, 0), updated_at = now()
    FROM accounts a2
    LEFT JOIN (SELECT owner_nsid, count(*)::int AS n FROM photos
               WHERE (${nsids ?? null}::text[] IS NULL OR owner_nsid = ANY(${nsids ?? null}::text[])) GROUP BY owner_nsid) c
      ON c.owner_nsid = a2.nsid
    WHERE a.nsid = a2.nsid AND (${nsids ?? null}::text[] IS NULL OR a2.nsid = ANY(${nsids ?? null}::text[]))
      AND a.photo_count <> coalesce(c.n, 0)`;
}

/** Recomputes every account's rank with one window-function UPDATE that rewrites only ranks that moved. */
export async function recomputeAccountRanks(): Promise<number> {
  return db().$executeRaw`
    UPDATE accounts a SET rank = r.rank
    FROM (SELECT nsid, CASE WHEN photo_count > 0 THEN row_number() OVER (ORDER BY photo_count DESC, nsid)::int END AS rank FROM accounts) r
    WHERE a.nsid = r.nsid AND a.rank IS DISTINCT FROM r.rank`;
}

/** The `limit` largest accounts, read through the rank index. */
export async function topAccountsByRank(
  limit: number,
): Promise<{ nsid: string; username: string | null; photoCount: number; rank: number | null }[]> {
  return db().account.findMany({
    where: { rank: { not: null, lte: limit } },
    orderBy: { rank: 'asc' },
    select: { nsid: true, username: true, photoCount: true, rank: true },
  });
}
