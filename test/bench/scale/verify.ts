// The scale bench's check that the tables the triggers keep agree with the data: each one against a recount from
// the tables it is derived from (the migrations' own fills), row for row. The builder writes them with the triggers
// off, so this is what says its fills are the triggers' result.
import pg from 'pg';

/** Each maintained table as its readers see it (signed deltas folded, zero groups dropped), and its recount. */
const PAIRS: { name: string; kept: string; recount: string }[] = [
  {
    name: 'check_counts',
    kept: `SELECT "check", license, verdict, overridden, bucket, sum(n)::bigint FROM quarry_internal.check_counts GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0`,
    recount: `SELECT cr."check", p.license, cr.verdict, ov.photo_id IS NOT NULL, quarry_score_bucket(cr.score), count(*)::bigint
      FROM check_results cr JOIN photos p ON p.id = cr.photo_id
      LEFT JOIN (SELECT DISTINCT photo_id, "check" FROM standing_overrides) ov ON ov.photo_id = cr.photo_id AND ov."check" = cr."check"
      GROUP BY 1, 2, 3, 4, 5`,
  },
  {
    name: 'account_check_counts',
    kept: `SELECT account_nsid, license, "check", verdict, overridden, sum(n)::bigint FROM quarry_internal.account_check_counts GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0`,
    recount: `SELECT p.owner_nsid, p.license, cr."check", cr.verdict, ov.photo_id IS NOT NULL, count(*)::bigint
      FROM check_results cr JOIN photos p ON p.id = cr.photo_id
      LEFT JOIN (SELECT DISTINCT photo_id, "check" FROM standing_overrides) ov ON ov.photo_id = cr.photo_id AND ov."check" = cr."check"
      GROUP BY 1, 2, 3, 4, 5`,
  },
  {
    name: 'account_check_totals',
    kept: `SELECT account_nsid, "check", total::bigint FROM account_check_totals WHERE total <> 0`,
    recount: `SELECT p.owner_nsid, cr."check", count(*)::bigint FROM check_results cr JOIN photos p ON p.id = cr.photo_id GROUP BY 1, 2`,
  },
  {
    name: 'account_photo_counts',
    kept: `SELECT account_nsid, photos, fetched, dedupable FROM quarry_internal.account_photo_counts WHERE (photos, fetched, dedupable) <> (0, 0, 0)`,
    recount: `SELECT owner_nsid, count(*)::int,
        (count(*) FILTER (WHERE content_hash IS NOT NULL AND availability = 'available'))::int,
        (count(*) FILTER (WHERE (availability = 'available' AND phash IS NOT NULL) OR availability = 'error'))::int
      FROM photos GROUP BY 1`,
  },
  {
    name: 'overridden_results',
    kept: `SELECT photo_id, "check", owner_nsid, license, verdict, score FROM quarry_internal.overridden_results`,
    recount: `SELECT cr.photo_id, cr."check", p.owner_nsid, p.license, cr.verdict, cr.score
      FROM (SELECT DISTINCT photo_id, "check" FROM standing_overrides) k
      JOIN check_results cr ON cr.photo_id = k.photo_id AND cr."check" = k."check" JOIN photos p ON p.id = k.photo_id`,
  },
  {
    name: 'photo_flags',
    kept: `SELECT photo_id, "check", owner_nsid, license, verdict, score, overridden FROM photo_flags`,
    recount: `SELECT e.photo_id, e."check", p.owner_nsid, p.license, e.verdict, e.score, e.overridden
      FROM effective_verdicts e JOIN photos p ON p.id = e.photo_id WHERE e.verdict IN ('fail', 'uncertain')`,
  },
  {
    name: 'run_batch_counts',
    kept: `SELECT run_id, stage, status, sum(n)::bigint FROM quarry_internal.run_batch_counts GROUP BY 1, 2, 3 HAVING sum(n) <> 0`,
    recount: `SELECT run_id, stage, status, count(*)::bigint FROM run_batches WHERE key NOT LIKE '\\_\\_%' GROUP BY 1, 2, 3`,
  },
];

/** Rows of each maintained table that its recount lacks or has more of; an empty list when all agree. */
export async function verifyMaintained(
  url: string,
): Promise<{ table: string; rows: number; differing: number }[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query(`SET work_mem = '256MB'`);
    const out: { table: string; rows: number; differing: number }[] = [];
    for (const p of PAIRS) {
      const { rows } = await c.query<{ rows: string; differing: string }>(
        `WITH k AS MATERIALIZED (${p.kept}), r AS MATERIALIZED (${p.recount})
        SELECT (SELECT count(*) FROM k) AS rows,
          (SELECT count(*) FROM ((TABLE k EXCEPT ALL TABLE r) UNION ALL (TABLE r EXCEPT ALL TABLE k)) d) AS differing`,
      );
      out.push({ table: p.name, rows: Number(rows[0].rows), differing: Number(rows[0].differing) });
    }
    return out;
  } finally {
    await c.end();
  }
}
