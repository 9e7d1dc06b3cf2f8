// The one inclusion rule: which photos are in the dataset and, for the others, every reason why not.
// A photo is included when its license is allowed, it was fetched and is available, its account is not rejected,
// it is not a non-canonical duplicate, no check's effective verdict is `fail` (the newest STANDING reviewer override of
// a (photo, check) wins over the automatic verdict, an undone batch's rows and their undo rows being none: the
// database's effective_verdicts and latest_overrides views, whose definition the photo_flags triggers read too) and, under the `account` watermark policy, its account's watermark verdict is not `fail` unless a
// reviewer approved the account or set the photo's watermark to pass. The dashboard (through its maintained summary,
// which groups photoFactsSql's rows and applies reasonsSql), spot checks, the photo drawer and every export use these
// functions and nothing else.
import { env } from './env.ts';
import { Prisma } from './generated/prisma/client.ts';

export const DEFAULT_LICENSES = [7, 8, 9, 10] as const;

export const AVAILABILITY_REASONS = {
  unknown: 'not_fetched',
  unavailable: 'unavailable',
  error: 'fetch_error',
} as const;

/** Every reason a photo can be excluded for, besides `check:<name>`. */
export const FIXED_REASONS = [
  'license',
  'not_fetched',
  'unavailable',
  'fetch_error',
  'account_rejected',
  'account_watermark',
] as const;

/**
 * `account`: a repeated watermark casts doubt on the licence of the whole account (Megalith-10m's filter), so every
 * photo of an account whose watermark verdict is `fail` is excluded; `photo`: only photos that carry the mark.
 */
export const WATERMARK_ACCOUNT_POLICIES = ['account', 'photo'] as const;
export type WatermarkAccountPolicy = (typeof WATERMARK_ACCOUNT_POLICIES)[number];

export type InclusionOptions = { watermarkPolicy?: WatermarkAccountPolicy };

/** The rule's settings as the manifest records them. */
export function inclusionSettings(opts: InclusionOptions = {}): {
  watermarkAccountPolicy: WatermarkAccountPolicy;
} {
  return { watermarkAccountPolicy: opts.watermarkPolicy ?? env.WATERMARK_ACCOUNT_POLICY };
}

/**
 * The override in force for the (photo, check) `photo`/`check` as `alias` (`new_verdict`, `id`; none when no
 * override stands): the newest standing override, from the latest_overrides view (migration
 * 20261206150000_verdict_in_force_standing), the one definition the triggers, this rule, the check pages and the
 * drawer read.
 * The verdict in force is `COALESCE(alias.new_verdict, <the result's verdict>)`. A per-key lookup (OFFSET 0 keeps it
 * a subquery, so the key reaches inside the view and only that key's overrides are read), skipped for a key without
 * any override by one index probe first (the view's grouping costs 2–3 times that probe even over no rows: a bulk
 * action's 100k keys mostly have none).
 * `stands`, when the caller knows it from a maintained table (photo_flags.overridden, quarry_internal.overridden_results,
 * which the agreement tests hold to this view), skips the lookup where no override stands: the probe only skips keys
 * with no override at all, and a key overridden and undone many times still walks its whole history (at 10M photos a
 * check page's 1,000 such rows spent 46 of its 65 ms finding that nothing stands).
 */
export function inForceJoin(
  photo: Prisma.Sql,
  check: Prisma.Sql,
  alias: string,
  stands?: Prisma.Sql,
): Prisma.Sql {
  return Prisma.sql`LEFT JOIN LATERAL (SELECT x.new_verdict, x.id FROM latest_overrides x
      WHERE x.photo_id = ${photo} AND x."check" = ${check}${stands ? Prisma.sql` AND ${stands}` : Prisma.empty}
        AND EXISTS (SELECT 1 FROM overrides o WHERE o.photo_id = ${photo} AND o."check" = ${check}) OFFSET 0) ${Prisma.raw(alias)} ON true`;
}

/**
 * Some accounts' photos, some photos by id (a drawer's, a spot-check's known answers), or the photos whose sampling
 * hash (`hashtextextended(id, 0)`, the spot-check order: photos_sample_order_idx) lies in [from, to].
 */
export type FactsScope = {
  accounts?: readonly string[];
  photos?: readonly string[];
  sampleRange?: { from: bigint; to: bigint };
};

/**
 * The rule's inputs that belong to the photo, one row per photo (`photo_id`, `owner_nsid`, `license`, `availability`,
 * `watermark_override`: the override in force (newest standing) of its `watermark` check, `check_reasons`: `check:<name>` for every check
 * whose effective verdict is `fail`, sorted). The account's inputs are joined by `reasonsSql`'s caller, so the
 * maintained summary (lib/queries/inclusionSummary.ts), which groups these rows per account, reads the account live.
 * A photo the dedup step pointed at its canonical copy (`duplicate_of_id`) fails `duplicate` even before the
 * check has written its result row; an override of `duplicate` still wins.
 *
 * Every photo: the effective verdicts come from the effective_verdicts and latest_overrides views (migrations
 * 20261205171700, 20261206150000), one pass over the results. `accounts` / `sampleRange`: only those photos, their
 * failures read from photo_flags, the views' rows kept by the triggers that read them (fail/uncertain only, indexed by
 * owner, and the failures by sampling hash too), so a 200k-photo account is read through its flags instead of 1.6M
 * result lookups or a scan of every result, and a spot-check's candidates through a few consecutive index pages
 * (their photo inputs are INCLUDEd in the sampling index: migration 20261206110000).
 */
export function photoFactsSql(only?: FactsScope): Prisma.Sql {
  const sampleHash = (column: string, r: { from: bigint; to: bigint }) =>
    Prisma.sql`hashtextextended(${Prisma.raw(column)}, 0) BETWEEN ${r.from}::bigint AND ${r.to}::bigint`;
  const [scope, flagScope] = only?.accounts
    ? [
        Prisma.sql`p.owner_nsid = ANY(${[...only.accounts]}::text[])`,
        Prisma.sql`owner_nsid = ANY(${[...only.accounts]}::text[])`,
      ]
    : only?.photos
      ? [
          Prisma.sql`p.id = ANY(${[...only.photos]}::text[])`,
          Prisma.sql`photo_id = ANY(${[...only.photos]}::text[])`,
        ]
      : only?.sampleRange
        ? [sampleHash('p.id', only.sampleRange), sampleHash('photo_id', only.sampleRange)]
        : [Prisma.sql`true`, null];
  const fails = flagScope
    ? Prisma.sql`SELECT photo_id, "check" FROM photo_flags WHERE verdict = 'fail' AND ${flagScope}`
    : Prisma.sql`SELECT photo_id, "check" FROM effective_verdicts WHERE verdict = 'fail'`;
  // The override in force of one check, from the latest_overrides view: joined whole (one pass over the overrides) for
  // every photo, looked up per photo for an account's photos, photos by id or a spot-check's candidates (joined whole,
  // the view reads every override of the check: 0.2 s at 200k overrides, on each refresh of the summary).
  const newest = (alias: string, check: string) =>
    only
      ? inForceJoin(Prisma.sql`p.id`, Prisma.sql`${check}`, alias)
      : Prisma.sql`LEFT JOIN latest_overrides ${Prisma.raw(alias)} ON ${Prisma.raw(alias)}.photo_id = p.id AND ${Prisma.raw(alias)}."check" = ${check}`;
  const failed = Prisma.sql`
      SELECT photo_id, array_agg('check:' || "check" ORDER BY "check") AS reasons
      FROM (
        ${fails}
        UNION ALL
        SELECT p.id, 'duplicate' FROM photos p
        ${newest('lo', 'duplicate')}
        WHERE ${scope} AND p.duplicate_of_id IS NOT NULL AND COALESCE(lo.new_verdict, 'fail') = 'fail'
          AND NOT EXISTS (SELECT 1 FROM check_results c WHERE c.photo_id = p.id AND c."check" = 'duplicate')
      ) f
      GROUP BY photo_id`;
  if (only?.sampleRange) {
    // The watermark override as a subquery of the row, with no WITH around it: the planner pulls this query up into
    // the caller's, so the override is looked up only where the rule reads it (an account whose watermark failed and
    // that no reviewer approved: reasonsSql's CASE), not for each of a sample's ~1,500 candidates.
    return Prisma.sql`
    SELECT p.id AS photo_id, p.owner_nsid, p.license, p.availability,
      (SELECT x.new_verdict FROM latest_overrides x WHERE x.photo_id = p.id AND x."check" = 'watermark') AS watermark_override,
      COALESCE(f.reasons, ARRAY[]::text[]) AS check_reasons
    FROM photos p
    LEFT JOIN (${failed}) f ON f.photo_id = p.id
    WHERE ${scope}`;
  }
  return Prisma.sql`
    WITH failed AS (${failed})
    SELECT p.id AS photo_id, p.owner_nsid, p.license, p.availability, lw.new_verdict AS watermark_override,
      COALESCE(f.reasons, ARRAY[]::text[]) AS check_reasons
    FROM photos p
    LEFT JOIN failed f ON f.photo_id = p.id
    ${newest('lw', 'watermark')}
    WHERE ${scope}`;
}

/**
 * The rule itself: the reasons (text[]; empty = included) of a row `f` of photoFactsSql's columns (or a group of
 * such rows) whose account is `a`. Reasons: license, not_fetched, unavailable, fetch_error, account_rejected,
 * account_watermark, check:<name>.
 */
export function reasonsSql(licenses: readonly number[], opts: InclusionOptions = {}): Prisma.Sql {
  const byAccount = inclusionSettings(opts).watermarkAccountPolicy === 'account';
  return Prisma.sql`array_remove(ARRAY[
        CASE WHEN NOT (f.license = ANY(${[...licenses]}::int[])) THEN 'license' END,
        CASE f.availability WHEN 'unknown' THEN 'not_fetched' WHEN 'unavailable' THEN 'unavailable' WHEN 'error' THEN 'fetch_error' END,
        CASE WHEN a.review_status = 'rejected' THEN 'account_rejected' END,
        CASE WHEN ${byAccount} AND a.watermark_verdict = 'fail' AND a.review_status <> 'approved'
          AND f.watermark_override IS DISTINCT FROM 'pass' THEN 'account_watermark' END
      ], NULL) || f.check_reasons`;
}

/**
 * SQL yielding one row per photo: `photo_id` and `reasons` (text[]; empty = included), evaluated in full, or for the
 * photos of `only`. A filter on this query's rows is not pushed into its per-photo failures: at 10M photos
 * `WHERE photo_id = ANY(300 ids)` around the full form scanned all 77M results (63 s at load 11; scoped: 0.14 s).
 */
export function photoReasonsSql(
  licenses: readonly number[],
  opts: InclusionOptions = {},
  only?: FactsScope,
): Prisma.Sql {
  return Prisma.sql`
    SELECT f.photo_id, ${reasonsSql(licenses, opts)} AS reasons
    FROM (${photoFactsSql(only)}) f
    JOIN accounts a ON a.nsid = f.owner_nsid`;
}

/**
 * The included photos (`photo_id`, `h`: the sampling hash) among those whose sampling hash lies in [from, to]: a range
 * of a spot-check's candidates, by the same rule.
 */
export function includedInSampleRangeSql(
  licenses: readonly number[],
  range: { from: bigint; to: bigint },
  opts: InclusionOptions = {},
): Prisma.Sql {
  return Prisma.sql`
    SELECT f.photo_id, hashtextextended(f.photo_id, 0) AS h
    FROM (${photoFactsSql({ sampleRange: range })}) f JOIN accounts a ON a.nsid = f.owner_nsid
    WHERE cardinality(${reasonsSql(licenses, opts)}) = 0`;
}

/** SQL yielding the ids of included photos. */
export function includedPhotoIdsSql(licenses: readonly number[], opts: InclusionOptions = {}): Prisma.Sql {
  return Prisma.sql`SELECT photo_id FROM (${photoReasonsSql(licenses, opts)}) r WHERE cardinality(r.reasons) = 0`;
}
