-- Review bench (1M photos, load 1.7): a bulk override of 100k photos took 5.70 s and its undo 8.97 s (target 5 s each;
-- 2.41 / 4.87 s before standing_overrides). The override trigger asked the view once per key, and each answer took
-- several index probes: the key's overrides, each one's batch, then (for a batch row) the key's overrides again and
-- their batches, looking for an undo row answering it.
--
-- "Standing" is now one SQL text over a source of override rows (every row of each key it holds): each row with
-- whether it stands. The view is the standing rows of that text over the whole table; the override trigger reads the
-- same text over the statement's keys' rows, read once. It needs no second look at the key: a batch row and the undo
-- row answering it share a "pair" (the batch id of one, the undone batch id of the other), so an override stands unless
-- it is an undo row or its (photo, check, pair) holds an undo row, one window over the key's rows. Single overrides
-- have no pair (NULL) and no undo row shares it.
--
-- The view's readers look up a key (`o.photo_id = … AND o."check" = …`): PostgreSQL pushes that into the window's
-- subquery, since both are partition columns, so a lookup still reads the key's index entries and their batches only.
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
  EXECUTE 'CREATE OR REPLACE VIEW standing_overrides AS SELECT id, photo_id, "check", new_verdict, user_id, created_at, '
    || 'batch_id FROM (' || quarry_override_standing_sql('overrides') || ') s WHERE s.stands';
END $$;

-- New overrides (20261206100100): the statement's keys' overrides are read once (one probe of the key's index entries
-- each, in key order) into `ko`; one pass of the text above over them, grouped per key, gives its newest override (the
-- verdict in force) and whether one stands. No join between two derived sets: misjudged as a row each (statistics
-- taken while overrides looked empty), such a join ran as a nested loop, 100k × 100k (an undo over 8 minutes). The rest
-- as before.
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
