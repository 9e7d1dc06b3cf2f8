// Builds the scale bench's database: N photos of ~N/100 accounts with a Zipf long tail (the review bench's shape),
// 8 checks' results with per-check fail/uncertain shares, overrides (single, a bulk batch and its undo), decisions,
// spot-checks and runs. Set-based SQL on two sessions (one per core) with triggers off (session_replication_role =
// replica): photos and results generated per chunk of accounts, the big tables' indexes built after the load, then
// every table the triggers would have kept (photo_flags, account_check_totals, flag scores, the check pages' counts,
// overridden results, the Runs page's batch counts) filled set-based; the bench builds the inclusion summary whole.
// v2 writes the same photos and results as v1 (same hashes), a photo's 8 results side by side instead of one check
// after another.
import pg from 'pg';

/** Bump when the data the builder writes changes: the cache folder is named after it. */
export const BUILDER_VERSION = 2;

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

/** Settings for the build only (bench restarts its PostgreSQL with them, then without): a crash mid-build loses the
 * cache folder anyway (no built.json), so nothing needs to survive one; the WAL is neither synced nor kept for replicas. */
export const BUILD_SETTINGS: Record<string, string> = {
  fsync: 'off',
  full_page_writes: 'off',
  wal_level: 'minimal',
  max_wal_senders: '0',
  // Bounded: the disk holds the 20 GB database too, and a checkpoint without fsync costs little.
  max_wal_size: '8GB',
  checkpoint_timeout: '1d',
  autovacuum: 'off',
};

type Step = { label: string; sql: string };

export async function buildScaleDatabase(
  url: string,
  s: ScaleSizes,
  log: (m: string) => void,
): Promise<void> {
  // Two sessions, one per core: set-based statements are single-threaded, so the work is split between them.
  const a = new pg.Client({ connectionString: url });
  const b = new pg.Client({ connectionString: url });
  await a.connect();
  await b.connect();
  const t0 = performance.now();
  const run = async (c: pg.Client, label: string, sql: string) => {
    const t = performance.now();
    const r = await c.query(sql);
    if (label) log(`  ${label}: ${r.rowCount ?? 0} rows, ${secs(t)} (total ${secs(t0)})`);
  };
  const q = (label: string, sql: string) => run(a, label, sql);
  /** Runs the tasks (each a list of steps for one session) on both sessions, each taking the next when free. */
  const parallel = async (name: string, tasks: Step[][]) => {
    const t = performance.now();
    const queue = [...tasks];
    await Promise.all(
      [a, b].map(async (c) => {
        for (let task = queue.shift(); task; task = queue.shift())
          for (const step of task) await run(c, step.label, step.sql);
      }),
    );
    log(` ${name}: ${secs(t)} (total ${secs(t0)})`);
  };
  try {
    // Triggers and foreign-key checks off for these sessions: the derived tables are filled set-based afterwards.
    // No parallel workers: the two sessions already keep both cores busy.
    for (const c of [a, b])
      await c.query(`SET session_replication_role = replica; SET synchronous_commit = off;
        SET maintenance_work_mem = '1536MB'; SET work_mem = '256MB';
        SET max_parallel_maintenance_workers = 0; SET max_parallel_workers_per_gather = 0`);
    const { rows: idx } = await a.query<{ name: string; def: string }>(
      `SELECT indexname AS name, indexdef AS def FROM pg_indexes
       WHERE schemaname = 'public' AND tablename IN ('photos', 'check_results') AND indexname NOT IN ('photos_pkey', 'check_results_pkey')
       ORDER BY tablename, indexname`,
    );
    for (const i of idx) await a.query(`DROP INDEX "${i.name}"`);
    await a.query(`ALTER TABLE check_results DROP CONSTRAINT check_results_pkey`);

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

    // Photos and their results in chunks of accounts (by rank) holding about the same number of photos, taken by the
    // two sessions as they come free. Both tables are generated from the same per-photo hashes, so a chunk's results
    // never wait for its photos (the foreign key is not checked in replica mode), and a photo's 8 results are written
    // together: adjacent in the table, as the pipeline's checks stage writes a batch's results.
    const chunkCount = Math.min(64, Math.max(4, Math.ceil(s.photos / 400_000)));
    const { rows: chunks } = await a.query<{ lo: number; hi: number }>(
      `SELECT min(rank) AS lo, max(rank) AS hi FROM (
        SELECT rank, floor((sum(photo_count) OVER (ORDER BY rank) - photo_count) * ${chunkCount}::float8 / ${s.photos}) AS c FROM accounts) x
      GROUP BY c ORDER BY c`,
    );
    const photosOf = (c: { lo: number; hi: number }) => `
      SELECT a.nsid, a.rank, a.watermark_verdict, g, (a.rank::bigint * 1000000 + g)::text AS id,
        abs(hashtext('l' || a.rank || ':' || g)) % 1000 AS h, abs(hashtext('v' || a.rank || ':' || g)) % 1000 AS h2,
        abs(hashtext('u' || a.rank || ':' || g)) % 1000 AS h3
      FROM accounts a CROSS JOIN LATERAL generate_series(1, a.photo_count) g
      WHERE a.rank BETWEEN ${c.lo} AND ${c.hi}`;
    // Flickr's search only returned allowed licenses, so ~3% carry another one (changed since); ~4% were never fetched
    // or are gone; 3% of the fetched are near-duplicates of the account's previous photo.
    const photoTask = (c: { lo: number; hi: number }) => ({
      label: `photos of ranks ${c.lo}–${c.hi}`,
      sql: `INSERT INTO photos (id, owner_nsid, secret, server, license, title, tags, date_upload, availability,
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
      FROM (${photosOf(c)}) x`,
    });
    // Per check: fail / uncertain shares; the duplicate check fails the photos with duplicate_of_id, the watermark
    // check 70% of the photos of the watermarking accounts. A photo's availability (h2 >= 40) and duplicate (h3) are
    // the photos' own expressions above; h and h2 per check are the v1 builder's, so the data is the same.
    const checkValues = Object.entries(SHARES)
      .map(([check, sh]) => `('${check}', ${sh.fail}, ${sh.uncertain})`)
      .join(', ');
    const resultTask = (c: { lo: number; hi: number }) => ({
      label: `check results of ranks ${c.lo}–${c.hi}`,
      sql: `INSERT INTO check_results (photo_id, "check", verdict, score, details, version, computed_at)
      SELECT id, ck, v, round((CASE WHEN v = 'fail' THEN 0.7 + hs * 0.0003 ELSE hs / 1000.0 END)::numeric, 4)::float8,
        CASE WHEN ck = 'duplicate' AND dup THEN jsonb_build_object('duplicateOf', (rank::bigint * 1000000 + g - 1)::text, 'distance', hc % 8)
          ELSE '{}'::jsonb END,
        'bench-1', now()
      FROM (
        SELECT p.id, p.rank, p.g, k.ck, p.dup, hc, hs,
          (CASE WHEN k.ck = 'duplicate' AND p.dup THEN 'fail'
            WHEN k.ck = 'watermark' AND p.watermark_verdict = 'fail' AND hc < 700 THEN 'fail'
            WHEN hc < k.fail THEN 'fail' WHEN hc < k.fail + k.uncertain THEN 'uncertain' ELSE 'pass' END)::"Verdict" AS v
        FROM (SELECT *, h2 >= 40 AND g > 1 AND h3 < 30 AS dup FROM (${photosOf(c)}) x0) p
        CROSS JOIN (VALUES ${checkValues}) k(ck, fail, uncertain)
        CROSS JOIN LATERAL (SELECT abs(hashtext(p.id || k.ck)) % 1000 AS hc, abs(hashtext(k.ck || p.id)) % 1000 AS hs) x
        WHERE p.h2 >= 40 OR k.ck = 'copyright_text') r`,
    });
    await parallel(
      'photos and check results',
      chunks.flatMap((c) => [[photoTask(c)], [resultTask(c)]]),
    );

    // The indexes the migrations made, by the two sessions side by side. (check, verdict, score) sorts 3–5× slower
    // than the primary key (the enum between the text and the score: its comparisons take a function call each, and
    // the text's abbreviated keys tell only 8 checks apart), so it gets a parallel worker of its own while the other
    // session builds the rest. The primary key as a unique index first, then taken over by the constraint: the same
    // index, built without the ALTER TABLE's lock that would make the other session wait.
    log(`  indexes…`);
    const slowest = 'check_results_check_verdict_score_idx';
    await parallel('indexes', [
      ...idx
        .filter((i) => i.name === slowest)
        .map((i) => [
          {
            label: i.name,
            sql: `SET max_parallel_maintenance_workers = 1; ${i.def}; SET max_parallel_maintenance_workers = 0`,
          },
        ]),
      [
        {
          label: 'check_results_pkey',
          sql: `CREATE UNIQUE INDEX check_results_pkey ON check_results (photo_id, "check")`,
        },
      ],
      ...idx.filter((i) => i.name !== slowest).map((i) => [{ label: i.name, sql: i.def }]),
    ]);
    await q(
      '',
      `ALTER TABLE check_results ADD CONSTRAINT check_results_pkey PRIMARY KEY USING INDEX check_results_pkey`,
    );

    // Statistics before the queries that read the loaded tables (autovacuum is off for the build): without them the
    // planner guesses a few rows and joins millions of results to their photos one index probe at a time.
    await q('', `ANALYZE check_results, photos, accounts`);

    // Reviewers' work on one session (it reads the indexed results); the runs' history on the other.
    const qb = (label: string, sql: string) => run(b, label, sql);
    await Promise.all([
      (async () => {
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
        await a.query(
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
      })(),
      (async () => {
        // Five past runs, one batch per 1,000 photos for each of four stages (the Runs page's totals read these).
        const batches = Math.ceil(s.photos / 1000);
        await qb(
          'runs',
          `INSERT INTO pipeline_runs (id, stages, config, status, created_at, started_at, finished_at, updated_at)
          SELECT 'bench-run-' || i, ARRAY['fetch', 'analyze', 'checks', 'export'], '{}', 'completed', now() - i * interval '1 day',
            now() - i * interval '1 day', now() - i * interval '1 day' + interval '5 hours', now() FROM generate_series(1, 5) i`,
        );
        await qb(
          'run stages',
          `INSERT INTO run_stages (id, run_id, stage, position, status, total, done, started_at, finished_at, updated_at)
          SELECT r.id || '-' || st.stage, r.id, st.stage, st.pos, 'done', ${s.photos}, ${s.photos}, r.started_at, r.finished_at, now()
          FROM pipeline_runs r CROSS JOIN unnest(r.stages) WITH ORDINALITY st(stage, pos)`,
        );
        await qb(
          'run batches',
          `INSERT INTO run_batches (id, run_id, stage, key, status, attempts, items, ok_count, started_at, finished_at)
          SELECT s.id || '-' || b, s.run_id, s.stage, 'b' || lpad(b::text, 6, '0'), 'done', 1, 1000, 1000, s.started_at, s.started_at + b * interval '1 second'
          FROM run_stages s CROSS JOIN generate_series(1, ${batches}) b`,
        );
      })(),
    ]);

    // What the triggers keep (off during the build), written once for everything by the migrations' own fills: the
    // account totals, flags and flag scores, and the check pages' counts (20261205222000_check_counts), overridden
    // results (20261205222020) and the Runs page's batch counts (20261205222050). verifyMaintained() compares them with
    // a recount.
    await q('', `ANALYZE overrides, run_batches`);
    for (const c of [a, b]) await c.query(`SET work_mem = '512MB'`);
    await parallel('derived tables', [
      [
        {
          label: 'result counts (one pass)',
          // "Overridden" is an override STANDING (the undone bench batch's photos are open again), and the counts
          // carry the score bucket and, per account, the licence (20261206100000_standing_overrides).
          sql: `CREATE TEMP TABLE bench_counts AS
          SELECT p.owner_nsid, p.license, cr."check", cr.verdict, quarry_score_bucket(cr.score) AS bucket,
            ov.photo_id IS NOT NULL AS overridden, count(*) AS n
          FROM check_results cr JOIN photos p ON p.id = cr.photo_id
          LEFT JOIN (SELECT DISTINCT photo_id, "check" FROM standing_overrides) ov
            ON ov.photo_id = cr.photo_id AND ov."check" = cr."check"
          GROUP BY 1, 2, 3, 4, 5, 6`,
        },
        {
          label: 'account_check_totals',
          sql: `INSERT INTO account_check_totals (account_nsid, "check", total)
          SELECT owner_nsid, "check", sum(n) FROM bench_counts GROUP BY 1, 2`,
        },
        {
          label: 'check_counts',
          sql: `INSERT INTO quarry_internal.check_counts ("check", license, verdict, overridden, bucket, n)
          SELECT "check", license, verdict, overridden, bucket, sum(n) FROM bench_counts GROUP BY 1, 2, 3, 4, 5`,
        },
        {
          label: 'account_check_counts',
          // One row per group, written whole: base rows (migration 20261206150200), not deltas for the first fold.
          sql: `INSERT INTO quarry_internal.account_check_counts (account_nsid, license, "check", verdict, overridden, n, base)
          SELECT owner_nsid, license, "check", verdict, overridden, sum(n), true FROM bench_counts GROUP BY 1, 2, 3, 4, 5`,
        },
        { label: '', sql: `DROP TABLE bench_counts` },
      ],
      [
        {
          label: 'photo_flags',
          sql: `INSERT INTO photo_flags (photo_id, "check", owner_nsid, license, verdict, score, overridden)
          SELECT e.photo_id, e."check", p.owner_nsid, p.license, e.verdict, e.score, e.overridden
          FROM effective_verdicts e JOIN photos p ON p.id = e.photo_id WHERE e.verdict IN ('fail', 'uncertain')`,
        },
        {
          label: 'overridden_results',
          sql: `INSERT INTO quarry_internal.overridden_results (photo_id, "check", owner_nsid, license, verdict, score)
          SELECT cr.photo_id, cr."check", p.owner_nsid, p.license, cr.verdict, cr.score
          FROM (SELECT DISTINCT photo_id, "check" FROM standing_overrides) k
          JOIN check_results cr ON cr.photo_id = k.photo_id AND cr."check" = k."check" JOIN photos p ON p.id = k.photo_id`,
        },
        {
          label: 'account_photo_counts',
          sql: `INSERT INTO quarry_internal.account_photo_counts (account_nsid, photos, fetched, dedupable)
          SELECT owner_nsid, count(*),
            count(*) FILTER (WHERE content_hash IS NOT NULL AND availability = 'available'),
            count(*) FILTER (WHERE (availability = 'available' AND phash IS NOT NULL) OR availability = 'error')
          FROM photos GROUP BY 1`,
        },
        {
          label: 'run_batch_counts',
          sql: `INSERT INTO quarry_internal.run_batch_counts (run_id, stage, status, n)
          SELECT run_id, stage, status, count(*) FROM run_batches WHERE key NOT LIKE '\\_\\_%' GROUP BY 1, 2, 3`,
        },
      ],
    ]);
    await q('', `SELECT quarry_refresh_flag_scores(true)`);
    for (const c of [a, b]) await c.query(`RESET session_replication_role`);
    // Hint bits, visibility map (the index-only scans need it) and statistics: the results on one session, the rest
    // on the other.
    const { rows: tables } = await a.query<{ name: string }>(
      `SELECT format('%I.%I', n.nspname, c.relname) AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE c.relkind = 'r' AND n.nspname IN ('public', 'quarry_internal') AND c.relname <> 'check_results' ORDER BY c.relname = 'photos' DESC, 1`,
    );
    await parallel('vacuum analyze', [
      [{ label: 'vacuum analyze check_results', sql: `VACUUM (ANALYZE) check_results` }],
      [{ label: 'vacuum analyze the rest', sql: `VACUUM (ANALYZE) ${tables.map((t) => t.name).join(', ')}` }],
    ]);
    log(`load done in ${secs(t0)}`);
  } finally {
    await a.end();
    await b.end();
  }
}
