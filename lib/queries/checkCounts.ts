// The maintained counts behind the check pages and the checks overview (prisma/migrations/20261205222000_check_counts,
// 20261206100000_standing_overrides): check results per (check, licence, automatic verdict, overridden, score
// bucket) and per (account, licence, check, verdict, overridden), "overridden" meaning an override stands, kept as
// signed deltas by statement triggers, so they are exact after every committed write. Readers sum the deltas and fold
// them back into one row per group when they pile up.
import { db, Prisma } from '../db.ts';

/** A check page's filter without its page (./overrides.ts adds the page to it and reads these counts). */
export type CheckPhotoCriteria = {
  verdict?: 'fail' | 'uncertain';
  status?: 'open' | 'overridden';
  minScore?: number;
  maxScore?: number;
  account?: string;
  license?: number;
};

/**
 * Rows past which a reader folds the deltas: each write statement adds a handful of rows. A check has up to ~3,300
 * groups (4 verdicts × 2 × 102 buckets × its licences), so its rows are folded past twice that.
 */
const FOLD_CHECK_ROWS = 8000;
const FOLD_ACCOUNT_ROWS = 200;

/**
 * One row per group again. Each fold deletes only the rows its snapshot saw and inserts their sum, so a write or another
 * fold running meanwhile is neither lost nor counted twice.
 */
async function foldCheck(check: string): Promise<void> {
  await db().$executeRaw`
    WITH d AS (DELETE FROM quarry_internal.check_counts WHERE "check" = ${check} RETURNING *)
    INSERT INTO quarry_internal.check_counts ("check", license, verdict, overridden, bucket, n)
    SELECT "check", license, verdict, overridden, bucket, sum(n) FROM d GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0`;
}

async function foldAccount(account: string, check: string): Promise<void> {
  await db().$executeRaw`
    WITH d AS (DELETE FROM quarry_internal.account_check_counts WHERE account_nsid = ${account} AND "check" = ${check} RETURNING *)
    INSERT INTO quarry_internal.account_check_counts (account_nsid, license, "check", verdict, overridden, n, base)
    SELECT account_nsid, license, "check", verdict, overridden, sum(n), true FROM d GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0`;
}

/** Deltas past which foldAccountCheckCounts folds: about two bulk actions' worth, a few hundred pipeline batches'. */
export const FOLD_DELTAS = 100_000;

/**
 * Folds the per-account counts' deltas into one row per group, for every (account, check) holding at least
 * `minDeltas` of them in all (migration 20261206150200): called after each pipeline batch and each bulk action, as the
 * flag scores are, so the table stays about one row per group however many writes no page read. One transaction; like
 * the readers' folds it deletes only the rows its snapshot saw and inserts their sums, so a write appending meanwhile is
 * neither lost nor counted twice; folds of the whole table take turns (an advisory lock: a second one returns at once).
 * Returns the delta rows folded.
 */
export async function foldAccountCheckCounts(minDeltas = FOLD_DELTAS): Promise<number> {
  const least = Math.max(1, minDeltas);
  return db().$transaction(
    async (tx) => {
      const [{ locked }] = await tx.$queryRaw<{ locked: boolean }[]>`
      SELECT pg_try_advisory_xact_lock(hashtext('quarry_fold_account_check_counts')) AS locked`;
      if (!locked) return 0;
      const [{ n }] = await tx.$queryRaw<{ n: number }[]>`
      SELECT count(*)::int AS n FROM (SELECT 1 FROM quarry_internal.account_check_counts WHERE NOT base LIMIT ${least}) d`;
      if (n < least) return 0;
      const [{ folded }] = await tx.$queryRaw<{ folded: number }[]>`
      WITH k AS MATERIALIZED (
        SELECT DISTINCT account_nsid, "check" FROM quarry_internal.account_check_counts WHERE NOT base),
      d AS (
        DELETE FROM quarry_internal.account_check_counts c USING k
        WHERE c.account_nsid = k.account_nsid AND c."check" = k."check"
        RETURNING c.account_nsid, c.license, c."check", c.verdict, c.overridden, c.n, c.base),
      ins AS (
        INSERT INTO quarry_internal.account_check_counts (account_nsid, license, "check", verdict, overridden, n, base)
        SELECT account_nsid, license, "check", verdict, overridden, sum(n), true FROM d
        GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0)
      SELECT (count(*) FILTER (WHERE NOT base))::int AS folded FROM d`;
      return folded;
    },
    // A first fold at 10M photos reads a few million rows; the default 5 s would cut it off.
    { timeout: 300_000 },
  );
}

export type CheckCountRow = { check: string; verdict: string; overridden: boolean; n: number };

/** Check results per check, automatic verdict and overridden state, over every licence and account. */
export async function checkCountsByCheck(): Promise<CheckCountRow[]> {
  const rows = await db().$queryRaw<(CheckCountRow & { rows: number })[]>`
    SELECT "check", verdict::text AS verdict, overridden, sum(n)::float8 AS n,
      sum(count(*)) OVER (PARTITION BY "check")::int AS rows
    FROM quarry_internal.check_counts GROUP BY 1, 2, 3`;
  for (const check of new Set(rows.filter((r) => r.rows > FOLD_CHECK_ROWS).map((r) => r.check)))
    await foldCheck(check);
  return rows.filter((r) => r.n !== 0).map(({ rows: _, ...r }) => r);
}

/**
 * The number of `check`'s results a check page's filter matches, as far as the maintained counts tell it: any mix of
 * verdict, status, licence and score range, or the account with verdict, status and licence. A score range is told up to
 * its two edge buckets: `edges` are the buckets (quarry_score_bucket) whose results the caller counts live, within the
 * range. Null for an account with a score range (counted live: an account's results are few).
 */
export async function maintainedCheckPhotoCount(
  check: string,
  f: CheckPhotoCriteria,
): Promise<{ n: number; edges: { bucket: number; total: number; cut: 'low' | 'high' | 'both' }[] } | null> {
  const ranged = f.minScore !== undefined || f.maxScore !== undefined;
  if (f.account !== undefined && ranged) return null;
  const verdicts = f.verdict ? [f.verdict] : ['fail', 'uncertain'];
  const where = Prisma.join(
    [
      Prisma.sql`verdict::text = ANY(${verdicts}::text[])`,
      f.status === 'open'
        ? Prisma.sql`NOT overridden`
        : f.status === 'overridden'
          ? Prisma.sql`overridden`
          : Prisma.sql`true`,
      f.license !== undefined ? Prisma.sql`license = ${f.license}` : Prisma.sql`true`,
    ],
    ' AND ',
  );
  if (f.account !== undefined) {
    const [r] = await db().$queryRaw<{ n: number | null; rows: number }[]>`
      SELECT sum(n) FILTER (WHERE ${where})::float8 AS n, count(*)::int AS rows
      FROM quarry_internal.account_check_counts WHERE account_nsid = ${f.account} AND "check" = ${check}`;
    if (r.rows > FOLD_ACCOUNT_ROWS) await foldAccount(f.account, check);
    return { n: r.n ?? 0, edges: [] };
  }
  // The range's end buckets (none past an open end: -2 and 101 lie outside every bucket); the buckets strictly
  // between them hold only results inside the range, as the bucket grows with the score.
  // Each end bucket's whole count comes too: the caller may count the part of it outside the range and subtract.
  const [r] = await db().$queryRaw<
    { n: number | null; rows: number; lo: number; hi: number; loN: number | null; hiN: number | null }[]
  >`
    WITH e AS (SELECT ${ranged ? Prisma.sql`COALESCE(quarry_score_bucket(${f.minScore ?? null}::float8), -2)` : Prisma.sql`-2`}::int AS lo,
      ${ranged ? Prisma.sql`COALESCE(quarry_score_bucket(${f.maxScore ?? null}::float8), 101)` : Prisma.sql`101`}::int AS hi)
    SELECT sum(n) FILTER (WHERE ${where} ${ranged ? Prisma.sql`AND bucket > e.lo AND bucket < e.hi` : Prisma.empty})::float8 AS n,
      sum(n) FILTER (WHERE ${where} AND bucket = e.lo)::float8 AS "loN",
      sum(n) FILTER (WHERE ${where} AND bucket = e.hi)::float8 AS "hiN",
      count(*)::int AS rows, e.lo, e.hi
    FROM e LEFT JOIN quarry_internal.check_counts c ON c."check" = ${check} GROUP BY e.lo, e.hi`;
  if (r.rows > FOLD_CHECK_ROWS) await foldCheck(check);
  if (!ranged) return { n: r.n ?? 0, edges: [] };
  // `cut`: which bound cuts the bucket (the low one by minScore, the high by maxScore; both when they share it).
  const edges = (
    r.lo === r.hi
      ? [{ bucket: r.lo, total: r.loN ?? 0, cut: 'both' as const }]
      : [
          { bucket: r.lo, total: r.loN ?? 0, cut: 'low' as const },
          { bucket: r.hi, total: r.hiN ?? 0, cut: 'high' as const },
        ]
  ).filter((e) => e.bucket >= -1 && e.bucket <= 100);
  return { n: r.n ?? 0, edges };
}
