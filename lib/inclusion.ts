// The one inclusion rule: which photos are in the dataset and, for the others, every reason why not.
// A photo is included when its license is allowed, it was fetched and is available, its account is not
// rejected, and no check's effective verdict is `fail` — where the newest reviewer override wins over the
// automatic verdict (the duplicate check fails non-canonical duplicates, so this covers duplicates too).
import { Prisma } from './generated/prisma/client.ts';

export const DEFAULT_LICENSES = [7, 8, 9, 10] as const;

export const AVAILABILITY_REASONS = {
  unknown: 'not_fetched',
  unavailable: 'unavailable',
  error: 'fetch_error',
} as const;

/**
 * SQL yielding one row per photo: `photo_id` and `reasons` (text[]; empty = included).
 * Reasons: license, not_fetched, unavailable, fetch_error, account_rejected, check:<name>.
 */
export function photoReasonsSql(licenses: readonly number[]): Prisma.Sql {
  return Prisma.sql`
    WITH latest_override AS (
      SELECT DISTINCT ON (photo_id, "check") photo_id, "check", new_verdict
      FROM overrides WHERE photo_id IS NOT NULL
      ORDER BY photo_id, "check", created_at DESC, id DESC
    ),
    failed AS (
      SELECT cr.photo_id, array_agg('check:' || cr."check" ORDER BY cr."check") AS reasons
      FROM check_results cr
      LEFT JOIN latest_override lo ON lo.photo_id = cr.photo_id AND lo."check" = cr."check"
      WHERE COALESCE(lo.new_verdict, cr.verdict) = 'fail'
      GROUP BY cr.photo_id
    )
    SELECT p.id AS photo_id,
      array_remove(ARRAY[
        CASE WHEN NOT (p.license = ANY(${[...licenses]}::int[])) THEN 'license' END,
        CASE p.availability WHEN 'unknown' THEN 'not_fetched' WHEN 'unavailable' THEN 'unavailable' WHEN 'error' THEN 'fetch_error' END,
        CASE WHEN a.review_status = 'rejected' THEN 'account_rejected' END
      ], NULL) || COALESCE(f.reasons, ARRAY[]::text[]) AS reasons
    FROM photos p
    JOIN accounts a ON a.nsid = p.owner_nsid
    LEFT JOIN failed f ON f.photo_id = p.id`;
}

/** SQL yielding the ids of included photos, ordered by id for stable exports. */
export function includedPhotoIdsSql(licenses: readonly number[]): Prisma.Sql {
  return Prisma.sql`SELECT photo_id FROM (${photoReasonsSql(licenses)}) r WHERE cardinality(r.reasons) = 0`;
}
