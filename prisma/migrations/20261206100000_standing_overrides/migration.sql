-- The check pages' "overridden" (Reviewed) and "open" mean: an override of the (photo, check) STANDS. Overrides are
-- append-only and a bulk batch is undone by a later batch whose rows put back each photo's earlier verdict, so a photo
-- whose only overrides are an undone batch's row and the undo row answering it has none standing: it is open again, and
-- its verdict is the machine's. The maintained tables (photo_flags.overridden, quarry_internal.overridden_results, the
-- check counts) knew only "has an override", so an undone batch's photos still counted and listed as Reviewed, and
-- listCheckSummaries corrected its figure live. The rule is now one view, read by the triggers keeping those tables and
-- by the page's own filter (lib/queries/overrides.ts checkPhotosWhere), which the agreement test holds them to.

-- An override stands unless it is an undo row, or an undo row of the same (photo, check) answers it (its batch undoes
-- the override's batch). An undo writes a row only for a photo whose newest override is still the batch's own, so a
-- batch row and the undo row answering it are adjacent in the photo's history; what stands is everything else (an
-- earlier override, a later one, a batch whose own undo skipped the photo). Written as plain joins so PostgreSQL
-- flattens it into the reading query: per key, a probe of the key's overrides, their batches by id, and (only for a
-- batch row) the key's overrides again for an answering undo row. The OR keeps that last probe off single overrides.
CREATE VIEW "standing_overrides" AS
SELECT o.id, o.photo_id, o."check", o.new_verdict, o.user_id, o.created_at, o.batch_id
FROM overrides o
LEFT JOIN override_batches b ON b.id = o.batch_id
WHERE o.photo_id IS NOT NULL AND b.undoes_id IS NULL
  AND (o.batch_id IS NULL OR NOT EXISTS (
    SELECT 1 FROM overrides u JOIN override_batches ub ON ub.id = u.batch_id
    WHERE u.photo_id = o.photo_id AND u."check" = o."check" AND ub.undoes_id = o.batch_id));

-- effective_verdicts.overridden (read by the photo_flags triggers of check_results) follows the same rule. The verdict
-- itself stays the newest override's: an undo row carries the verdict it put back.
CREATE OR REPLACE VIEW "effective_verdicts" AS
SELECT cr.photo_id, cr."check", cr.verdict AS automatic_verdict, cr.score,
  COALESCE(lo.new_verdict, cr.verdict) AS verdict, lo.new_verdict AS override_verdict,
  lo.new_verdict IS NOT NULL
    AND EXISTS (SELECT 1 FROM standing_overrides s WHERE s.photo_id = cr.photo_id AND s."check" = cr."check") AS overridden
FROM check_results cr
LEFT JOIN latest_overrides lo ON lo.photo_id = cr.photo_id AND lo."check" = cr."check";

-- The counts of check results (new, re-checked, deleted; 20261205222000) and of moved photos: "overridden" is standing.
CREATE OR REPLACE FUNCTION quarry_check_counts_sql(keys TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $f$
  SELECT format($q$
    WITH d AS MATERIALIZED (
      SELECT p.owner_nsid, p.license, k."check", k.verdict,
        EXISTS (SELECT 1 FROM standing_overrides o WHERE o.photo_id = k.photo_id AND o."check" = k."check") AS overridden, k.n
      FROM (%s) k JOIN photos p ON p.id = k.photo_id),
    g AS (
      INSERT INTO quarry_internal.check_counts ("check", license, verdict, overridden, n)
      SELECT "check", license, verdict, overridden, sum(n) FROM d GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0)
    INSERT INTO quarry_internal.account_check_counts (account_nsid, "check", verdict, overridden, n)
    SELECT owner_nsid, "check", verdict, overridden, sum(n) FROM d GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 $q$, keys)
$f$;

CREATE OR REPLACE FUNCTION quarry_check_counts_photos_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE $q$
    WITH moved AS (
      SELECT n.id, o.owner_nsid AS old_owner, o.license AS old_license, n.owner_nsid AS new_owner, n.license AS new_license
      FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE (n.owner_nsid, n.license) IS DISTINCT FROM (o.owner_nsid, o.license)),
    d AS MATERIALIZED (
      SELECT x.owner_nsid, x.license, cr."check", cr.verdict,
        EXISTS (SELECT 1 FROM standing_overrides ov WHERE ov.photo_id = cr.photo_id AND ov."check" = cr."check") AS overridden, x.n
      FROM moved m JOIN check_results cr ON cr.photo_id = m.id
      CROSS JOIN LATERAL (VALUES (m.old_owner, m.old_license, -1), (m.new_owner, m.new_license, 1)) x(owner_nsid, license, n)),
    g AS (
      INSERT INTO quarry_internal.check_counts ("check", license, verdict, overridden, n)
      SELECT "check", license, verdict, overridden, sum(n) FROM d GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0)
    INSERT INTO quarry_internal.account_check_counts (account_nsid, "check", verdict, overridden, n)
    SELECT owner_nsid, "check", verdict, overridden, sum(n) FROM d GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 $q$;
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
-- every key). Per key of the statement, in key order: its newest override (the effective verdict), whether an override
-- stands now (the view) and whether one stood before (the key is listed in overridden_results exactly then). A key
-- whose standing changes moves between overridden and not: in and out of overridden_results, -1/+1 in the counts, and
-- its flag's overridden. An undo's rows turn standing off; a new batch, or the undo of a later batch that had skipped
-- an earlier batch's photos, turns it on. Check results and photos are looked up only for keys flagged or moved.
-- Locking as in 20261205221000 (a bulk writer takes the table lock itself, before reading its matches); the locks
-- serialise two statements over one key, so the second reads the first's overridden_results row.
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
    SELECT m.owner_nsid, m.license, m."check", m.automatic AS verdict, x.overridden, x.n
    FROM moved m CROSS JOIN LATERAL (VALUES (m.listed, -1), (m.stands, 1)) x(overridden, n)),
  g AS (
    INSERT INTO quarry_internal.check_counts ("check", license, verdict, overridden, n)
    SELECT "check", license, verdict, overridden, sum(n) FROM d GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0),
  a AS (
    INSERT INTO quarry_internal.account_check_counts (account_nsid, "check", verdict, overridden, n)
    SELECT owner_nsid, "check", verdict, overridden, sum(n) FROM d GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0)
  INSERT INTO quarry_internal.inclusion_dirty (account_nsid)
  SELECT owner_nsid FROM cleared
  UNION SELECT owner_nsid FROM flagged
  UNION SELECT p.owner_nsid FROM k JOIN photos p ON p.id = k.photo_id WHERE k."check" IN ('watermark', 'duplicate')$q$;
  RETURN NULL;
END;
$$;

DROP TRIGGER overrides_z_counts_inserted ON "overrides";
DROP FUNCTION quarry_override_counts_inserted();

-- Existing databases: only a key an undo row touched can have overrides none of which stands. Those keys are moved as
-- the trigger above moves them.
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
INSERT INTO quarry_internal.check_counts ("check", license, verdict, overridden, n)
SELECT "check", license, automatic, x.overridden, sum(x.n) FROM standing_fix m
CROSS JOIN LATERAL (VALUES (m.listed, -1), (m.stands, 1)) x(overridden, n) GROUP BY 1, 2, 3, 4 HAVING sum(x.n) <> 0;
INSERT INTO quarry_internal.account_check_counts (account_nsid, "check", verdict, overridden, n)
SELECT owner_nsid, "check", automatic, x.overridden, sum(x.n) FROM standing_fix m
CROSS JOIN LATERAL (VALUES (m.listed, -1), (m.stands, 1)) x(overridden, n) GROUP BY 1, 2, 3, 4 HAVING sum(x.n) <> 0;
