-- Check pages with combined filters counted live at 10M photos (scale bench, load 15): a score range 0.1–0.5 s, a
-- licence with a score range seconds (every result in the range probed for its photo's licence), the largest account
-- with a licence 0.2–0.8 s. The maintained counts now tell those too:
-- - check_counts gains the score's bucket (hundredths, clamped: -1 below 0, 100 from 1 up), so a score range is the sum
--   of the buckets strictly inside it plus a live count of its two edge buckets only (lib/queries/checkCounts.ts);
-- - account_check_counts gains the photo's licence.
-- The bucket is one function, read by the triggers and the readers alike. It only has to be monotonic in the score for
-- the sum to be exact: a result in a bucket strictly between the range's end buckets has a score inside the range.
-- NULL for no score (a range never holds it). A CASE rather than STRICT, so PostgreSQL inlines it into the statement.
CREATE FUNCTION quarry_score_bucket(score DOUBLE PRECISION) RETURNS SMALLINT LANGUAGE sql IMMUTABLE PARALLEL SAFE AS
$$ SELECT CASE WHEN score IS NULL THEN NULL ELSE least(greatest(floor(score * 100), -1), 100)::smallint END $$;

ALTER TABLE quarry_internal.check_counts ADD COLUMN bucket SMALLINT;
ALTER TABLE quarry_internal.account_check_counts ADD COLUMN license INTEGER;
-- A check page's count reads its check's rows only (a few thousand with the buckets), not every check's.
CREATE INDEX check_counts_check_idx ON quarry_internal.check_counts ("check");

-- `keys` now gives the result's score too (photo_id, "check", verdict, score, n).
CREATE OR REPLACE FUNCTION quarry_check_counts_sql(keys TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $f$
  SELECT format($q$
    WITH d AS MATERIALIZED (
      SELECT p.owner_nsid, p.license, k."check", k.verdict, quarry_score_bucket(k.score) AS bucket,
        EXISTS (SELECT 1 FROM standing_overrides o WHERE o.photo_id = k.photo_id AND o."check" = k."check") AS overridden, k.n
      FROM (%s) k JOIN photos p ON p.id = k.photo_id),
    g AS (
      INSERT INTO quarry_internal.check_counts ("check", license, verdict, overridden, bucket, n)
      SELECT "check", license, verdict, overridden, bucket, sum(n) FROM d GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0)
    INSERT INTO quarry_internal.account_check_counts (account_nsid, license, "check", verdict, overridden, n)
    SELECT owner_nsid, license, "check", verdict, overridden, sum(n) FROM d GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 $q$, keys)
$f$;

-- A re-check moves a result between groups when its verdict or its score changes.
CREATE OR REPLACE FUNCTION quarry_check_counts_results_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE quarry_check_counts_sql('SELECT photo_id, "check", verdict, score, 1 AS n FROM new_rows');
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE quarry_check_counts_sql('SELECT photo_id, "check", verdict, score, -1 AS n FROM old_rows');
  ELSE
    EXECUTE quarry_check_counts_sql('
      (SELECT photo_id, "check", verdict, score, 1 AS n FROM new_rows
       EXCEPT SELECT photo_id, "check", verdict, score, 1 FROM old_rows)
      UNION ALL (SELECT photo_id, "check", verdict, score, -1 FROM old_rows
       EXCEPT SELECT photo_id, "check", verdict, score, -1 FROM new_rows)');
  END IF;
  RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION quarry_check_counts_photos_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE quarry_check_counts_sql('SELECT photo_id, "check", verdict, score, -1 AS n FROM check_results WHERE photo_id = $1') USING OLD.id;
  RETURN OLD;
END;
$$;

CREATE OR REPLACE FUNCTION quarry_check_counts_photos_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE $q$
    WITH moved AS (
      SELECT n.id, o.owner_nsid AS old_owner, o.license AS old_license, n.owner_nsid AS new_owner, n.license AS new_license
      FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE (n.owner_nsid, n.license) IS DISTINCT FROM (o.owner_nsid, o.license)),
    d AS MATERIALIZED (
      SELECT x.owner_nsid, x.license, cr."check", cr.verdict, quarry_score_bucket(cr.score) AS bucket,
        EXISTS (SELECT 1 FROM standing_overrides ov WHERE ov.photo_id = cr.photo_id AND ov."check" = cr."check") AS overridden, x.n
      FROM moved m JOIN check_results cr ON cr.photo_id = m.id
      CROSS JOIN LATERAL (VALUES (m.old_owner, m.old_license, -1), (m.new_owner, m.new_license, 1)) x(owner_nsid, license, n)),
    g AS (
      INSERT INTO quarry_internal.check_counts ("check", license, verdict, overridden, bucket, n)
      SELECT "check", license, verdict, overridden, bucket, sum(n) FROM d GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0)
    INSERT INTO quarry_internal.account_check_counts (account_nsid, license, "check", verdict, overridden, n)
    SELECT owner_nsid, license, "check", verdict, overridden, sum(n) FROM d GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0 $q$;
  RETURN NULL;
END;
$$;

CREATE OR REPLACE FUNCTION quarry_check_counts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'photos' THEN
    DELETE FROM quarry_internal.account_photo_counts;
  ELSIF TG_TABLE_NAME = 'check_results' THEN
    DELETE FROM quarry_internal.check_counts;
    DELETE FROM quarry_internal.account_check_counts;
  ELSE
    INSERT INTO quarry_internal.check_counts ("check", license, verdict, bucket, overridden, n)
    SELECT "check", license, verdict, bucket, x.overridden, x.sign * sum(n) FROM quarry_internal.check_counts
    CROSS JOIN (VALUES (true, -1), (false, 1)) x(overridden, sign) WHERE check_counts.overridden
    GROUP BY 1, 2, 3, 4, 5, x.sign;
    INSERT INTO quarry_internal.account_check_counts (account_nsid, license, "check", verdict, overridden, n)
    SELECT account_nsid, license, "check", verdict, x.overridden, x.sign * sum(n) FROM quarry_internal.account_check_counts
    CROSS JOIN (VALUES (true, -1), (false, 1)) x(overridden, sign) WHERE account_check_counts.overridden
    GROUP BY 1, 2, 3, 4, 5, x.sign;
  END IF;
  RETURN NULL;
END;
$$;

-- New overrides (20261206100000_standing_overrides): a result moving in or out of "overridden" moves in its bucket and,
-- per account, its licence.
CREATE OR REPLACE FUNCTION quarry_overrides_inserted() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
  IF (SELECT count(*) FROM new_rows) >= 10000 THEN
    LOCK TABLE check_results IN EXCLUSIVE MODE;
  ELSE
    PERFORM 1 FROM (SELECT DISTINCT photo_id, "check" FROM new_rows WHERE photo_id IS NOT NULL ORDER BY 1, 2) k
      CROSS JOIN LATERAL (SELECT 1 FROM check_results cr WHERE cr.photo_id = k.photo_id AND cr."check" = k."check"
        FOR NO KEY UPDATE) l;
  END IF;
  EXECUTE $q$
  WITH k AS (
    SELECT DISTINCT photo_id, "check" FROM new_rows WHERE photo_id IS NOT NULL ORDER BY 1, 2),
  st AS MATERIALIZED (
    SELECT k.photo_id, k."check", lo.new_verdict AS verdict,
      EXISTS (SELECT 1 FROM standing_overrides s WHERE s.photo_id = k.photo_id AND s."check" = k."check") AS stands,
      EXISTS (SELECT 1 FROM quarry_internal.overridden_results r WHERE r.photo_id = k.photo_id AND r."check" = k."check")
        AS listed
    FROM k
    CROSS JOIN LATERAL (SELECT o.new_verdict FROM overrides o WHERE o.photo_id = k.photo_id AND o."check" = k."check"
      ORDER BY o.created_at DESC, o.id DESC LIMIT 1) lo),
  eff AS MATERIALIZED (
    SELECT st.*, cr.verdict AS automatic, cr.score, p.owner_nsid, p.license
    FROM st
    -- A lookup by the whole key (LIMIT 1 keeps it one): joined plainly, the planner probed the results by photo alone.
    CROSS JOIN LATERAL (SELECT r.verdict, r.score FROM check_results r WHERE r.photo_id = st.photo_id
      AND r."check" = st."check" LIMIT 1) cr
    JOIN photos p ON p.id = st.photo_id
    WHERE st.verdict IN ('fail', 'uncertain') OR st.stands <> st.listed),
  cleared AS (
    DELETE FROM photo_flags f USING st e
    WHERE f.photo_id = e.photo_id AND f."check" = e."check" AND e.verdict NOT IN ('fail', 'uncertain')
    RETURNING f.owner_nsid),
  flagged AS (
    INSERT INTO photo_flags AS f (photo_id, "check", owner_nsid, verdict, score, overridden)
    SELECT e.photo_id, e."check", e.owner_nsid, e.verdict, e.score, e.stands
    FROM eff e WHERE e.verdict IN ('fail', 'uncertain')
    ORDER BY 1, 2
    ON CONFLICT (photo_id, "check") DO UPDATE SET owner_nsid = EXCLUDED.owner_nsid, verdict = EXCLUDED.verdict,
      score = EXCLUDED.score, overridden = EXCLUDED.overridden
    WHERE (f.owner_nsid, f.verdict, f.score, f.overridden)
      IS DISTINCT FROM (EXCLUDED.owner_nsid, EXCLUDED.verdict, EXCLUDED.score, EXCLUDED.overridden)
    RETURNING f.owner_nsid),
  moved AS MATERIALIZED (SELECT * FROM eff WHERE stands <> listed),
  listed_now AS (
    INSERT INTO quarry_internal.overridden_results (photo_id, "check", owner_nsid, verdict, score)
    SELECT photo_id, "check", owner_nsid, automatic, score FROM moved WHERE stands ORDER BY 1, 2
    ON CONFLICT (photo_id, "check") DO NOTHING),
  unlisted AS (
    DELETE FROM quarry_internal.overridden_results r USING moved m
    WHERE r.photo_id = m.photo_id AND r."check" = m."check" AND NOT m.stands),
  d AS (
    SELECT m.owner_nsid, m.license, m."check", m.automatic AS verdict, quarry_score_bucket(m.score) AS bucket,
      x.overridden, x.n
    FROM moved m CROSS JOIN LATERAL (VALUES (m.listed, -1), (m.stands, 1)) x(overridden, n)),
  g AS (
    INSERT INTO quarry_internal.check_counts ("check", license, verdict, overridden, bucket, n)
    SELECT "check", license, verdict, overridden, bucket, sum(n) FROM d GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0),
  a AS (
    INSERT INTO quarry_internal.account_check_counts (account_nsid, license, "check", verdict, overridden, n)
    SELECT owner_nsid, license, "check", verdict, overridden, sum(n) FROM d GROUP BY 1, 2, 3, 4, 5 HAVING sum(n) <> 0)
  INSERT INTO quarry_internal.inclusion_dirty (account_nsid)
  SELECT owner_nsid FROM cleared
  UNION SELECT owner_nsid FROM flagged
  UNION SELECT p.owner_nsid FROM k JOIN photos p ON p.id = k.photo_id WHERE k."check" IN ('watermark', 'duplicate')$q$;
  RETURN NULL;
END;
$$;

-- The counts again, with buckets and licences: one pass over the results (minutes at 77M; nothing on a new database),
-- both tables from it.
DELETE FROM quarry_internal.check_counts;
DELETE FROM quarry_internal.account_check_counts;
SET LOCAL work_mem = '256MB';
CREATE TEMP TABLE check_counts_initial ON COMMIT DROP AS
SELECT p.owner_nsid, p.license, cr."check", cr.verdict, quarry_score_bucket(cr.score) AS bucket,
  ov.photo_id IS NOT NULL AS overridden, count(*) AS n
FROM check_results cr JOIN photos p ON p.id = cr.photo_id
LEFT JOIN (SELECT DISTINCT photo_id, "check" FROM standing_overrides) ov
  ON ov.photo_id = cr.photo_id AND ov."check" = cr."check"
GROUP BY GROUPING SETS ((2, 3, 4, 5, 6), (1, 2, 3, 4, 6));
INSERT INTO quarry_internal.check_counts ("check", license, verdict, overridden, bucket, n)
SELECT "check", license, verdict, overridden, bucket, n FROM check_counts_initial WHERE owner_nsid IS NULL;
INSERT INTO quarry_internal.account_check_counts (account_nsid, license, "check", verdict, overridden, n)
SELECT owner_nsid, license, "check", verdict, overridden, n FROM check_counts_initial WHERE owner_nsid IS NOT NULL;
