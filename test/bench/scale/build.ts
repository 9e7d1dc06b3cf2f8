// Builds the scale bench's database: N photos of ~N/100 accounts with a Zipf long tail (the review bench's shape),
// 8 checks' results with per-check fail/uncertain shares, overrides (single, a bulk batch and its undo), decisions,
// spot-checks and runs. Set-based SQL on one session with triggers off (session_replication_role = replica), the big
// tables' indexes built after the load, then the tables the triggers would have kept (photo_flags,
// account_check_totals, flag scores) filled set-based and the inclusion summary built whole.
import pg from 'pg';

/** Bump when the data the builder writes changes: the cache folder is named after it. */
export const BUILDER_VERSION = 1;

export type ScaleSizes = { photos: number; accounts: number; zipf: number };

/** fail / uncertain shares in per mille, per check (available photos; copyright_text also judges the others). */
const SHARES: Record<string, { fail: number; uncertain: number }> = {
  resolution: { fail: 30, uncertain: 0 },
  exif_copyright: { fail: 5, uncertain: 5 },
  copyright_text: { fail: 10, uncertain: 10 },
  duplicate: { fail: 0, uncertain: 10 }, // fails: the photos with duplicate_of_id (below)
  clip_nonphoto: { fail: 50, uncertain: 40 },
  clip_nonwholesome: { fail: 5, uncertain: 15 },
  watermark: { fail: 3, uncertain: 30 }, // plus 70% of the photos of the 3% watermarking accounts
  border: { fail: 30, uncertain: 20 },
};

const secs = (t0: number) => `${((performance.now() - t0) / 1000).toFixed(0)} s`;

export async function buildScaleDatabase(
  url: string,
  s: ScaleSizes,
  log: (m: string) => void,
): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const t0 = performance.now();
  const q = async (label: string, sql: string, values?: unknown[]) => {
    const t = performance.now();
    const r = await c.query(sql, values);
    if (label) log(`  ${label}: ${r.rowCount ?? 0} rows, ${secs(t)} (total ${secs(t0)})`);
  };
  try {
    // Triggers and foreign-key checks off for this session: the derived tables are filled set-based afterwards.
    await c.query(`SET session_replication_role = replica; SET synchronous_commit = off;
      SET maintenance_work_mem = '1GB'; SET work_mem = '256MB'; SET max_parallel_maintenance_workers = 1`);
    const { rows: idx } = await c.query<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes
       WHERE schemaname = 'public' AND tablename IN ('photos', 'check_results') AND indexname NOT IN ('photos_pkey', 'check_results_pkey')`,
    );
    for (const i of idx) await c.query(`DROP INDEX "${i.name}"`);
    await c.query(`ALTER TABLE check_results DROP CONSTRAINT check_results_pkey`);

    await q(
      'users',
      `INSERT INTO users (id, email, name, password_hash, role, updated_at)
      SELECT 'bench-user-' || i, 'bench' || i || '@bench.test', 'Reviewer ' || i, 'x', CASE WHEN i = 1 THEN 'admin' ELSE 'reviewer' END::"Role", now()
      FROM generate_series(1, 6) i`,
    );
    await q(
      'accounts',
      `INSERT INTO accounts (nsid, username, photo_count, watermark_score, watermark_verdict, updated_at)
      SELECT i || '@N0' || (i % 10), 'bench-' || i, 0, (abs(hashtext('w' || i)) % 1000) / 1000.0,
        CASE WHEN abs(hashtext('wv' || i)) % 1000 < 30 THEN 'fail' WHEN abs(hashtext('wv' || i)) % 1000 < 50 THEN 'uncertain' ELSE 'pass' END::"Verdict",
        now()
      FROM generate_series(1, ${s.accounts}) i`,
    );
    // Largest-remainder rounding so the counts add up to exactly s.photos, every account keeping at least one photo.
    await q(
      'account sizes',
      `
      WITH w AS (SELECT nsid, row_number() OVER (ORDER BY nsid) AS r FROM accounts),
      x AS (SELECT nsid, r, ${s.photos - s.accounts}::float8 * power(r, -${s.zipf}) / sum(power(r, -${s.zipf})) OVER () AS share FROM w),
      y AS (SELECT nsid, floor(share)::int AS base, share - floor(share) AS frac FROM x),
      z AS (SELECT nsid, base + CASE WHEN row_number() OVER (ORDER BY frac DESC, nsid) <= ${s.photos - s.accounts} - sum(base) OVER () THEN 1 ELSE 0 END AS n FROM y)
      UPDATE accounts a SET photo_count = z.n + 1 FROM z WHERE z.nsid = a.nsid`,
    );
    await q(
      'ranks',
      `UPDATE accounts a SET rank = r.rank
      FROM (SELECT nsid, row_number() OVER (ORDER BY photo_count DESC, nsid)::int AS rank FROM accounts) r WHERE a.nsid = r.nsid`,
    );
    // Flickr's search only returned allowed licenses, so ~3% carry another one (changed since); ~4% were never fetched
    // or are gone; 3% of the fetched are near-duplicates of the account's previous photo.
    await q(
      'photos',
      `INSERT INTO photos (id, owner_nsid, secret, server, license, title, tags, date_upload, availability,
        fetched_at, content_hash, image_width, image_height, phash, duplicate_of_id, ingested_at, updated_at)
      SELECT id, nsid, substr(md5(id), 1, 10), (65535 - g % 5)::text,
        CASE WHEN h < 30 THEN 1 + h % 6 WHEN h < 420 THEN 9 WHEN h < 670 THEN 10 WHEN h < 930 THEN 7 ELSE 8 END,
        CASE WHEN g % 7 = 0 THEN '' ELSE 'IMG_' || g || CASE WHEN g % 11 = 0 THEN ', "lake" at dusk' ELSE ' street' END END,
        CASE WHEN g % 3 = 0 THEN 'lake mountain winter' ELSE '' END,
        timestamp '2008-01-01' + (abs(hashtext('d' || id)) % 5000) * interval '1 day',
        CASE WHEN h2 < 10 THEN 'unknown' WHEN h2 < 30 THEN 'unavailable' WHEN h2 < 40 THEN 'error' ELSE 'available' END::"Availability",
        CASE WHEN h2 >= 10 THEN now() END,
        CASE WHEN h2 >= 40 THEN md5(id) || md5(nsid || id) END,
        CASE WHEN h2 >= 40 THEN 1024 + h % 3000 END, CASE WHEN h2 >= 40 THEN 768 + h % 2000 END,
        CASE WHEN h2 >= 40 THEN hashtextextended(id, 0) END,
        CASE WHEN h2 >= 40 AND g > 1 AND h3 < 30 THEN (rank::bigint * 1000000 + g - 1)::text END,
        timestamp '2026-10-01' + (g % 60) * interval '1 day', now()
      FROM (SELECT a.nsid, a.rank, g, (a.rank::bigint * 1000000 + g)::text AS id,
          abs(hashtext('l' || a.rank || ':' || g)) % 1000 AS h, abs(hashtext('v' || a.rank || ':' || g)) % 1000 AS h2,
          abs(hashtext('u' || a.rank || ':' || g)) % 1000 AS h3
        FROM accounts a CROSS JOIN LATERAL generate_series(1, a.photo_count) g) x`,
    );
    for (const [check, share] of Object.entries(SHARES)) {
      const verdict =
        check === 'duplicate'
          ? `CASE WHEN p.duplicate_of_id IS NOT NULL THEN 'fail' WHEN h < ${share.uncertain} THEN 'uncertain' ELSE 'pass' END`
          : check === 'watermark'
            ? `CASE WHEN a.watermark_verdict = 'fail' AND h < 700 THEN 'fail' WHEN h < ${share.fail} THEN 'fail' WHEN h < ${share.fail + share.uncertain} THEN 'uncertain' ELSE 'pass' END`
            : `CASE WHEN h < ${share.fail} THEN 'fail' WHEN h < ${share.fail + share.uncertain} THEN 'uncertain' ELSE 'pass' END`;
      const details =
        check === 'duplicate'
          ? `CASE WHEN p.duplicate_of_id IS NOT NULL THEN jsonb_build_object('duplicateOf', p.duplicate_of_id, 'distance', h % 8) ELSE '{}' END`
          : `'{}'::jsonb`;
      await q(
        `check_results ${check}`,
        `INSERT INTO check_results (photo_id, "check", verdict, score, details, version, computed_at)
        SELECT p.id, $1, (${verdict})::"Verdict", round((CASE WHEN (${verdict}) = 'fail' THEN 0.7 + h2 * 0.0003 ELSE h2 / 1000.0 END)::numeric, 4)::float8,
          ${details}, 'bench-1', now()
        FROM photos p JOIN accounts a ON a.nsid = p.owner_nsid
        CROSS JOIN LATERAL (SELECT abs(hashtext(p.id || $1)) % 1000 AS h, abs(hashtext($1 || p.id)) % 1000 AS h2) x
        WHERE p.availability = 'available' OR $1 = 'copyright_text'`,
        [check],
      );
    }
    log(`  indexes…`);
    await q(
      'check_results primary key',
      `ALTER TABLE check_results ADD CONSTRAINT check_results_pkey PRIMARY KEY (photo_id, "check")`,
    );
    for (const i of idx) await q(`index ${i.name}`, i.def);

    // Reviewers' work: the top 5,000 accounts 60% decided (1 in 6 rejected), 20k single overrides, 2k watermark
    // passes, one bulk override of 50k clip_nonphoto doubts and its undo.
    await q(
      'decisions',
      `WITH d AS (
        UPDATE accounts SET review_status = CASE WHEN abs(hashtext('r' || nsid)) % 6 = 0 THEN 'rejected' ELSE 'approved' END::"ReviewStatus",
          review_reason = CASE WHEN abs(hashtext('r' || nsid)) % 6 = 0 THEN 'watermark' END, reviewed_at = now()
        WHERE rank <= 5000 AND abs(hashtext('d' || nsid)) % 10 < 6 RETURNING nsid, review_status, review_reason)
      INSERT INTO account_decisions (account_nsid, user_id, decision, reason, round, created_at)
      SELECT nsid, 'bench-user-' || (2 + abs(hashtext(nsid)) % 5), CASE WHEN review_status = 'rejected' THEN 'reject' ELSE 'approve' END::"DecisionKind",
        review_reason, 1, now() - interval '1 day' FROM d`,
    );
    await q(
      'single overrides',
      `INSERT INTO overrides (user_id, photo_id, "check", old_verdict, new_verdict, reason, created_at)
      SELECT 'bench-user-' || (2 + abs(hashtext(photo_id)) % 5), photo_id, "check", verdict,
        CASE WHEN abs(hashtext('o' || photo_id)) % 3 = 0 THEN 'fail' ELSE 'pass' END::"Verdict", 'bench', now() - interval '2 hours'
      FROM check_results WHERE verdict = 'uncertain' AND abs(hashtext('so' || photo_id || "check")) % 1000 < ${Math.max(1, Math.round((20_000 * 1000) / (s.photos * 0.12)))}
      LIMIT 20000`,
    );
    await q(
      'watermark passes',
      `INSERT INTO overrides (user_id, photo_id, "check", old_verdict, new_verdict, reason, created_at)
      SELECT 'bench-user-2', photo_id, "check", verdict, 'pass', 'bench', now() - interval '1 hour'
      FROM check_results WHERE "check" = 'watermark' AND verdict = 'fail' ORDER BY photo_id LIMIT 2000`,
    );
    await q(
      'bulk batch',
      `INSERT INTO override_batches (id, user_id, "check", filter, new_verdict, reason, count, created_at)
      VALUES ('bench-batch', 'bench-user-1', 'clip_nonphoto', '{"verdict":"uncertain"}', 'pass', 'bench', 0, now() - interval '30 minutes'),
        ('bench-batch-undo', 'bench-user-1', 'clip_nonphoto', '{"verdict":"uncertain"}', NULL, 'bench', 0, now() - interval '20 minutes')`,
    );
    await q(
      'bulk overrides',
      `INSERT INTO overrides (user_id, photo_id, "check", old_verdict, new_verdict, batch_id, created_at)
      SELECT 'bench-user-1', photo_id, "check", verdict, 'pass', 'bench-batch', now() - interval '30 minutes'
      FROM check_results WHERE "check" = 'clip_nonphoto' AND verdict = 'uncertain' ORDER BY score DESC, photo_id LIMIT 50000`,
    );
    await q(
      'bulk undo',
      `INSERT INTO overrides (user_id, photo_id, "check", old_verdict, new_verdict, batch_id, created_at)
      SELECT user_id, photo_id, "check", new_verdict, old_verdict, 'bench-batch-undo', now() - interval '20 minutes'
      FROM overrides WHERE batch_id = 'bench-batch'`,
    );
    await c.query(
      `UPDATE override_batches b SET count = (SELECT count(*) FROM overrides o WHERE o.batch_id = b.id)`,
    );
    await q(
      'spot-checks',
      `INSERT INTO spot_checks (id, name, population, size, seed, population_size, created_by_id, created_at)
      SELECT 'bench-spot-' || i, 'Bench ' || i, 'included', 400, 'seed' || i, ${Math.round(s.photos * 0.8)}, 'bench-user-1', now() - i * interval '1 day'
      FROM generate_series(1, 3) i`,
    );
    await q(
      'spot-check items',
      `INSERT INTO spot_check_items (spot_check_id, photo_id, position)
      SELECT 'bench-spot-' || i, id, row_number() OVER (PARTITION BY i ORDER BY md5(i || id))::int
      FROM generate_series(1, 3) i CROSS JOIN LATERAL (SELECT id FROM photos TABLESAMPLE SYSTEM (0.1) REPEATABLE (i) LIMIT 400) p`,
    );
    // Five past runs, one batch per 1,000 photos for each of four stages (the Runs page's totals read these).
    const batches = Math.ceil(s.photos / 1000);
    await q(
      'runs',
      `INSERT INTO pipeline_runs (id, stages, config, status, created_at, started_at, finished_at, updated_at)
      SELECT 'bench-run-' || i, ARRAY['fetch', 'analyze', 'checks', 'export'], '{}', 'completed', now() - i * interval '1 day',
        now() - i * interval '1 day', now() - i * interval '1 day' + interval '5 hours', now() FROM generate_series(1, 5) i`,
    );
    await q(
      'run stages',
      `INSERT INTO run_stages (id, run_id, stage, position, status, total, done, started_at, finished_at, updated_at)
      SELECT r.id || '-' || st.stage, r.id, st.stage, st.pos, 'done', ${s.photos}, ${s.photos}, r.started_at, r.finished_at, now()
      FROM pipeline_runs r CROSS JOIN unnest(r.stages) WITH ORDINALITY st(stage, pos)`,
    );
    await q(
      'run batches',
      `INSERT INTO run_batches (id, run_id, stage, key, status, attempts, items, ok_count, started_at, finished_at)
      SELECT s.id || '-' || b, s.run_id, s.stage, 'b' || lpad(b::text, 6, '0'), 'done', 1, 1000, 1000, s.started_at, s.started_at + b * interval '1 second'
      FROM run_stages s CROSS JOIN generate_series(1, ${batches}) b`,
    );

    // What the triggers keep, written once for everything.
    await q(
      'account_check_totals',
      `INSERT INTO account_check_totals (account_nsid, "check", total)
      SELECT p.owner_nsid, cr."check", count(*) FROM check_results cr JOIN photos p ON p.id = cr.photo_id GROUP BY 1, 2`,
    );
    await q(
      'photo_flags',
      `INSERT INTO photo_flags (photo_id, "check", owner_nsid, verdict, score, overridden)
      SELECT e.photo_id, e."check", p.owner_nsid, e.verdict, e.score, e.overridden
      FROM effective_verdicts e JOIN photos p ON p.id = e.photo_id WHERE e.verdict IN ('fail', 'uncertain')`,
    );
    await q('', `SELECT quarry_refresh_flag_scores(true)`);
    await c.query(`RESET session_replication_role`);
    log(`  vacuum analyze…`);
    await q('', `VACUUM (ANALYZE)`);
    log(`load done in ${secs(t0)}`);
  } finally {
    await c.end();
  }
}
