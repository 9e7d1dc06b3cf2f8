// The maintained counts behind the check pages and the checks overview (prisma/migrations/20261205222000_check_counts):
// check results per (check, licence, automatic verdict, overridden) and per (account, check, verdict, overridden), kept
// as signed deltas by statement triggers, so they are exact after every committed write. Readers sum the deltas and
// fold them back into one row per group when they pile up.
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

/** Rows past which a reader folds the deltas: each write statement adds a handful of rows. */
const FOLD_GLOBAL_ROWS = 2000;
const FOLD_ACCOUNT_ROWS = 200;

/**
 * One row per group again. Each fold deletes only the rows its snapshot saw and inserts their sum, so a write or another
 * fold running meanwhile is neither lost nor counted twice.
 */
async function foldGlobal(): Promise<void> {
  await db().$executeRaw`
    WITH d AS (DELETE FROM quarry_internal.check_counts RETURNING *)
    INSERT INTO quarry_internal.check_counts ("check", license, verdict, overridden, n)
    SELECT "check", license, verdict, overridden, sum(n) FROM d GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0`;
}

async function foldAccount(account: string, check: string): Promise<void> {
  await db().$executeRaw`
    WITH d AS (DELETE FROM quarry_internal.account_check_counts WHERE account_nsid = ${account} AND "check" = ${check} RETURNING *)
    INSERT INTO quarry_internal.account_check_counts (account_nsid, "check", verdict, overridden, n)
    SELECT account_nsid, "check", verdict, overridden, sum(n) FROM d GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0`;
}

export type CheckCountRow = { check: string; verdict: string; overridden: boolean; n: number };

/** Check results per check, automatic verdict and overridden state, over every licence and account. */
export async function checkCountsByCheck(): Promise<CheckCountRow[]> {
  const rows = await db().$queryRaw<(CheckCountRow & { rows: number })[]>`
    SELECT "check", verdict::text AS verdict, overridden, sum(n)::float8 AS n, sum(count(*)) OVER ()::int AS rows
    FROM quarry_internal.check_counts GROUP BY 1, 2, 3`;
  if ((rows[0]?.rows ?? 0) > FOLD_GLOBAL_ROWS) await foldGlobal();
  return rows.filter((r) => r.n !== 0).map(({ rows: _, ...r }) => r);
}

/**
 * The number of `check`'s results a check page's filter matches, when the maintained counts can tell it: any mix of
 * verdict, status and licence, or the account with verdict and status. Null for a score range, or an account with a
 * licence (those are counted live).
 */
export async function maintainedCheckPhotoCount(
  check: string,
  f: CheckPhotoCriteria,
): Promise<number | null> {
  if (f.minScore !== undefined || f.maxScore !== undefined) return null;
  if (f.account !== undefined && f.license !== undefined) return null;
  const verdicts = f.verdict ? [f.verdict] : ['fail', 'uncertain'];
  const status =
    f.status === 'open'
      ? Prisma.sql`AND NOT overridden`
      : f.status === 'overridden'
        ? Prisma.sql`AND overridden`
        : Prisma.empty;
  if (f.account !== undefined) {
    const [r] = await db().$queryRaw<{ n: number | null; rows: number }[]>`
      SELECT sum(n) FILTER (WHERE verdict::text = ANY(${verdicts}::text[]) ${status})::float8 AS n, count(*)::int AS rows
      FROM quarry_internal.account_check_counts WHERE account_nsid = ${f.account} AND "check" = ${check}`;
    if (r.rows > FOLD_ACCOUNT_ROWS) await foldAccount(f.account, check);
    return r.n ?? 0;
  }
  const [r] = await db().$queryRaw<{ n: number | null; rows: number }[]>`
    SELECT sum(n) FILTER (WHERE "check" = ${check} AND verdict::text = ANY(${verdicts}::text[]) ${status}
      ${f.license !== undefined ? Prisma.sql`AND license = ${f.license}` : Prisma.empty})::float8 AS n,
      count(*)::int AS rows
    FROM quarry_internal.check_counts`;
  if (r.rows > FOLD_GLOBAL_ROWS) await foldGlobal();
  return r.n ?? 0;
}
