-- Standing overrides, and check counts by score bucket and licence (one migration: it squashes four written on
-- 2026-12-06 that redefined the same functions several times; only the final definitions are kept).
--
-- The check pages' "overridden" (Reviewed) and "open" mean: an override of the (photo, check) STANDS. Overrides are
-- append-only and a bulk batch is undone by a later batch whose rows put back each photo's earlier verdict, so a photo
-- whose only overrides are an undone batch's row and the undo row answering it has none standing: it is open again, and
-- its verdict is the machine's. The maintained tables (photo_flags.overridden, quarry_internal.overridden_results, the
-- check counts) knew only "has an override", so an undone batch's photos still counted and listed as Reviewed. The rule
-- is now one SQL text, read by the view standing_overrides (which the page's own filter, lib/queries/overrides.ts
-- checkPhotosWhere, and the triggers of check_results and photos read) and by the override trigger, and the agreement
-- test holds them to it.
--
-- "Standing", over a source of override rows (every row of each key it holds): an override stands unless it is an undo
-- row, or an undo row of the same (photo, check) answers it (its batch undoes the override's batch). An undo writes a
-- row only for a photo whose newest override is still the batch's own, so a batch row and the undo row answering it are
-- adjacent in the photo's history; what stands is everything else (an earlier override, a later one, a batch whose own
-- undo skipped the photo). A batch row and the undo row answering it share a "pair" (the batch id of one, the undone
-- batch id of the other), so one window over the key's rows tells it; single overrides have no pair (NULL) and no undo
-- row shares it. The view's readers look up a key (`o.photo_id = … AND o."check" = …`): PostgreSQL pushes that into the
-- window's subquery, since both are partition columns, so a lookup reads the key's index entries and their batches only.
-- (Written first as joins probing the key's overrides again for an answering undo row, the planner could start from the
-- undo batch and read all its rows per key: an undo of 100k photos ran over 14 minutes in the review bench.)
CREATE FUNCTION quarry_override_standing_sql(source TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $f$
  SELECT format($q$
    SELECT s.id, s.photo_id, s."check", s.new_verdict, s.user_id, s.created_at, s.batch_id,
      s.undoes_id IS NULL AND NOT s.answered AS stands
    FROM (
      SELECT o.id, o.photo_id, o."check", o.new_verdict, o.user_id, o.created_at, o.batch_id, b.undoes_id,
        bool_or(b.undoes_id IS NOT NULL)
          OVER (PARTITION BY o.photo_id, o."check", COALESCE(b.undoes_id, o.batch_id)) AS answered
      FROM %s o LEFT JOIN override_batches b ON b.id = o.batch_id
      WHERE o.photo_id IS NOT NULL) s $q$, source)
$f$;

DO $$ BEGIN
  EXECUTE 'CREATE VIEW standing_overrides AS SELECT id, photo_id, "check", new_verdict, user_id, created_at, '
    || 'batch_id FROM (' || quarry_override_standing_sql('overrides') || ') s WHERE s.stands';
END $$;

-- effective_verdicts.overridden (read by the photo_flags triggers of check_results) follows the same rule. The verdict
-- itself stays the newest override's: an undo row carries the verdict it put back.
CREATE OR REPLACE VIEW "effective_verdicts" AS
SELECT cr.photo_id, cr."check", cr.verdict AS automatic_verdict, cr.score,
  COALESCE(lo.new_verdict, cr.verdict) AS verdict, lo.new_verdict AS override_verdict,
  lo.new_verdict IS NOT NULL
    AND EXISTS (SELECT 1 FROM standing_overrides s WHERE s.photo_id = cr.photo_id AND s."check" = cr."check") AS overridden
FROM check_results cr
LEFT JOIN latest_overrides lo ON lo.photo_id = cr.photo_id AND lo."check" = cr."check";

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

-- The counts of check results (new, re-checked, deleted; 20261205222000) and of moved photos: "overridden" is standing,
-- and each result counts in its score bucket and, per account, its photo's licence. `keys` gives (photo_id, "check",
-- verdict, score, n).
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

-- overridden_results: a new or re-checked result is listed while an override of it stands.
CREATE OR REPLACE FUNCTION quarry_overridden_results_results_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    EXECUTE $q$
      DELETE FROM quarry_internal.overridden_results r USING old_rows o
      WHERE r.photo_id = o.photo_id AND r."check" = o."check" $q$;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    EXECUTE $q$
      INSERT INTO quarry_internal.overridden_results (photo_id, "check", owner_nsid, verdict, score)
      SELECT n.photo_id, n."check", p.owner_nsid, n.verdict, n.score FROM new_rows n JOIN photos p ON p.id = n.photo_id
      WHERE EXISTS (SELECT 1 FROM standing_overrides o WHERE o.photo_id = n.photo_id AND o."check" = n."check")
      ORDER BY 1, 2
      ON CONFLICT (photo_id, "check") DO UPDATE SET owner_nsid = EXCLUDED.owner_nsid, verdict = EXCLUDED.verdict,
        score = EXCLUDED.score $q$;
  END IF;
  RETURN NULL;
END;
$$;

-- New overrides: one trigger for the flags, the overridden results and the counts (the two it replaces each looked up
-- every key). The statement's keys' overrides are read once (one probe of the key's index entries each, in key order)
-- into `ko`; one pass of the standing text over them, grouped per key, gives its newest override (the verdict in force)
-- and whether one stands; whether one stood before is whether the key is listed in overridden_results. No join between
-- two derived sets: misjudged as a row each (statistics taken while overrides looked empty), such a join ran as a nested
-- loop, 100k × 100k (an undo over 8 minutes). A key whose standing changes moves between overridden and not: in and out
-- of overridden_results, -1/+1 in the counts (in its bucket and, per account, its licence), and its flag's overridden.
-- An undo's rows turn standing off; a new batch, or the undo of a later batch that had skipped an earlier batch's
-- photos, turns it on. Check results and photos are looked up only for keys flagged or moved. Locking as in
-- 20261205221000 (a bulk writer takes the table lock itself, before reading its matches); the locks serialise two
-- statements over one key, so the second reads the first's overridden_results row.
DO $do$ BEGIN
EXECUTE format($fn$
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
  ko AS MATERIALIZED (
    SELECT o.id, o.photo_id, o."check", o.new_verdict, o.user_id, o.created_at, o.batch_id
    FROM k CROSS JOIN LATERAL (SELECT * FROM overrides o WHERE o.photo_id = k.photo_id AND o."check" = k."check") o),
  st AS MATERIALIZED (
    SELECT x.photo_id, x."check", x.verdict, x.stands,
      EXISTS (SELECT 1 FROM quarry_internal.overridden_results r WHERE r.photo_id = x.photo_id AND r."check" = x."check")
        AS listed
    FROM (
      SELECT s.photo_id, s."check", (array_agg(s.new_verdict ORDER BY s.created_at DESC, s.id DESC))[1] AS verdict,
        bool_or(s.stands) AS stands
      FROM (%s) s GROUP BY 1, 2) x),
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
$$ $fn$, quarry_override_standing_sql('ko'));
END $do$;

DROP TRIGGER overrides_z_counts_inserted ON "overrides";
DROP FUNCTION quarry_override_counts_inserted();

-- Existing databases: only a key an undo row touched can have overrides none of which stands. Its overridden_results
-- entry and flag are moved as the trigger above moves them; the counts are rebuilt below.
CREATE TEMP TABLE standing_fix ON COMMIT DROP AS
WITH k AS (
  SELECT DISTINCT u.photo_id, u."check" FROM override_batches ub JOIN overrides u ON u.batch_id = ub.id
  WHERE ub.undoes_id IS NOT NULL AND u.photo_id IS NOT NULL),
st AS (
  SELECT k.photo_id, k."check",
    EXISTS (SELECT 1 FROM standing_overrides s WHERE s.photo_id = k.photo_id AND s."check" = k."check") AS stands,
    EXISTS (SELECT 1 FROM quarry_internal.overridden_results r WHERE r.photo_id = k.photo_id AND r."check" = k."check")
      AS listed
  FROM k)
SELECT st.*, cr.verdict AS automatic, cr.score, p.owner_nsid, p.license
FROM st JOIN check_results cr ON cr.photo_id = st.photo_id AND cr."check" = st."check" JOIN photos p ON p.id = st.photo_id
WHERE st.stands <> st.listed;

DELETE FROM quarry_internal.overridden_results r USING standing_fix m
WHERE r.photo_id = m.photo_id AND r."check" = m."check" AND NOT m.stands;
INSERT INTO quarry_internal.overridden_results (photo_id, "check", owner_nsid, verdict, score)
SELECT photo_id, "check", owner_nsid, automatic, score FROM standing_fix WHERE stands ON CONFLICT DO NOTHING;
UPDATE photo_flags f SET overridden = m.stands FROM standing_fix m
WHERE f.photo_id = m.photo_id AND f."check" = m."check" AND f.overridden <> m.stands;

-- The counts again, with standing, buckets and licences: one pass over the results (minutes at 77M; nothing on a new
-- database), both tables from it.
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
