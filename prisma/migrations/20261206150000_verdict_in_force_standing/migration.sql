-- The verdict in force for a (photo, check) is its newest STANDING override's, else the check's current verdict.
-- Until now it was the newest override's, undo rows included: an undo row carries the verdict its batch had replaced
-- (the machine's at the time), so after a re-check changed the machine's verdict and the batch was then undone, the
-- stale verdict stayed in force although no reviewer's verdict stood (the view, photo_flags, the rule, the check page,
-- the drawer and every new override's old_verdict alike).
--
-- One SQL text over a source of override rows (every row of each key it holds) gives, per key, whether an override
-- stands and the newest standing one's verdict and id (NULL when none stands), from quarry_override_standing_sql's "stands"
-- (20261206100300). latest_overrides is that text over the whole table (the keys with a standing override), read by
-- effective_verdicts and the rule (lib/inclusion.ts); the override trigger reads the same text over its statement's
-- keys' rows; other readers look a key up in latest_overrides. PostgreSQL pushes a key lookup
-- (`photo_id = … AND "check" = …`) through the grouping and the window below (both are by the key), so a lookup
-- reads that key's index entries only; a whole scan (the rule over every photo) computes it once and hashes it.
CREATE FUNCTION quarry_override_in_force_sql(source TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $f$
  SELECT format($q$
    SELECT s.photo_id, s."check",
      (array_agg(s.new_verdict ORDER BY s.created_at DESC, s.id DESC) FILTER (WHERE s.stands))[1] AS new_verdict,
      (array_agg(s.id ORDER BY s.created_at DESC, s.id DESC) FILTER (WHERE s.stands))[1] AS id,
      bool_or(s.stands) AS stands
    FROM (%s) s GROUP BY s.photo_id, s."check" $q$, quarry_override_standing_sql(source))
$f$;

-- The views are recreated (latest_overrides loses its created_at, which nobody read; its id is the newest standing
-- override's, whose author and time the check page shows).
DROP VIEW effective_verdicts;
DROP VIEW latest_overrides;
DO $$ BEGIN
  EXECUTE 'CREATE VIEW latest_overrides AS SELECT photo_id, "check", new_verdict, id FROM ('
    || quarry_override_in_force_sql('overrides') || ') s WHERE s.stands';
END $$;

-- overridden: an override stands, which is exactly when latest_overrides has the key.
CREATE VIEW effective_verdicts AS
SELECT cr.photo_id, cr."check", cr.verdict AS automatic_verdict, cr.score,
  COALESCE(lo.new_verdict, cr.verdict) AS verdict, lo.new_verdict AS override_verdict,
  lo.new_verdict IS NOT NULL AS overridden
FROM check_results cr
LEFT JOIN latest_overrides lo ON lo.photo_id = cr.photo_id AND lo."check" = cr."check";

-- photo_flags for new, re-checked and deleted results (20261205171700): the verdict in force per result is looked up
-- in latest_overrides by key (OFFSET 0 keeps the lookup a per-key subquery, so the key reaches the view's inside;
-- joined plainly, the view would be computed whole for every statement). A re-check of an overridden result keeps
-- the reviewer's verdict; one of a result whose batch was undone is in force at once.
CREATE OR REPLACE FUNCTION quarry_check_results_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    -- A photo's own delete already took its results off (quarry_photos_deleting): its row is gone by now, so the join skips it.
    INSERT INTO account_check_totals AS t (account_nsid, "check", total)
    SELECT p.owner_nsid, o."check", -count(*) FROM old_rows o JOIN photos p ON p.id = o.photo_id GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (account_nsid, "check") DO UPDATE SET total = t.total + EXCLUDED.total;
    DELETE FROM photo_flags f USING old_rows o WHERE f.photo_id = o.photo_id AND f."check" = o."check";
  ELSIF TG_OP = 'INSERT' THEN
    INSERT INTO account_check_totals AS t (account_nsid, "check", total)
    SELECT p.owner_nsid, n."check", count(*) FROM new_rows n JOIN photos p ON p.id = n.photo_id GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (account_nsid, "check") DO UPDATE SET total = t.total + EXCLUDED.total;
    INSERT INTO photo_flags AS f (photo_id, "check", owner_nsid, verdict, score, overridden)
    SELECT e.photo_id, e."check", p.owner_nsid, e.verdict, e.score, e.overridden
    FROM (
      SELECT n.photo_id, n."check", COALESCE(lo.new_verdict, n.verdict) AS verdict, n.score,
        lo.new_verdict IS NOT NULL AS overridden
      FROM new_rows n
      LEFT JOIN LATERAL (SELECT x.new_verdict FROM latest_overrides x
        WHERE x.photo_id = n.photo_id AND x."check" = n."check" OFFSET 0) lo ON true) e
    JOIN photos p ON p.id = e.photo_id
    WHERE e.verdict IN ('fail', 'uncertain')
    ORDER BY 1, 2
    ON CONFLICT (photo_id, "check") DO UPDATE SET owner_nsid = EXCLUDED.owner_nsid, verdict = EXCLUDED.verdict,
      score = EXCLUDED.score, overridden = EXCLUDED.overridden;
  ELSE
    -- Re-checks keep their key; only a changed key (photos.id cascading) moves a result between totals.
    INSERT INTO account_check_totals AS t (account_nsid, "check", total)
    SELECT p.owner_nsid, k."check", sum(k.n) FROM (
      (SELECT photo_id, "check", 1 AS n FROM new_rows EXCEPT SELECT photo_id, "check", 1 FROM old_rows)
      UNION ALL (SELECT photo_id, "check", -1 FROM old_rows EXCEPT SELECT photo_id, "check", -1 FROM new_rows)) k
    JOIN photos p ON p.id = k.photo_id GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (account_nsid, "check") DO UPDATE SET total = t.total + EXCLUDED.total;
    WITH eff AS MATERIALIZED (
      SELECT n.photo_id, n."check", COALESCE(lo.new_verdict, n.verdict) AS verdict, n.score,
        lo.new_verdict IS NOT NULL AS overridden
      FROM new_rows n
      LEFT JOIN LATERAL (SELECT x.new_verdict FROM latest_overrides x
        WHERE x.photo_id = n.photo_id AND x."check" = n."check" OFFSET 0) lo ON true),
    -- A re-check clears the flag of a key no longer failed or doubted, or of a key that went away.
    cleared AS (
      DELETE FROM photo_flags f USING old_rows o
      WHERE f.photo_id = o.photo_id AND f."check" = o."check"
        AND NOT EXISTS (SELECT 1 FROM eff e WHERE e.photo_id = o.photo_id AND e."check" = o."check" AND e.verdict IN ('fail', 'uncertain')))
    INSERT INTO photo_flags AS f (photo_id, "check", owner_nsid, verdict, score, overridden)
    SELECT e.photo_id, e."check", p.owner_nsid, e.verdict, e.score, e.overridden FROM eff e JOIN photos p ON p.id = e.photo_id
    WHERE e.verdict IN ('fail', 'uncertain') ORDER BY 1, 2
    ON CONFLICT (photo_id, "check") DO UPDATE SET owner_nsid = EXCLUDED.owner_nsid, verdict = EXCLUDED.verdict,
      score = EXCLUDED.score, overridden = EXCLUDED.overridden
    WHERE (f.owner_nsid, f.verdict, f.score, f.overridden) IS DISTINCT FROM (EXCLUDED.owner_nsid, EXCLUDED.verdict, EXCLUDED.score, EXCLUDED.overridden);
  END IF;
  RETURN NULL;
END;
$$;

-- New overrides (20261206100300): per key of the statement, the text above over the keys' rows read once gives the
-- newest standing override's verdict and whether one stands; the verdict in force is that, else the result's own.
-- The rest as before: a key whose standing changes moves between overridden and not (overridden_results, the counts,
-- its flag's overridden).
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
    SELECT x.photo_id, x."check", x.new_verdict, x.stands, r.photo_id IS NOT NULL AS listed,
      r.verdict AS listed_verdict, r.score AS listed_score
    FROM (%s) x
    LEFT JOIN LATERAL (SELECT r.photo_id, r.verdict, r.score FROM quarry_internal.overridden_results r
      WHERE r.photo_id = x.photo_id AND r."check" = x."check" LIMIT 1) r ON true),
  eff AS MATERIALIZED (
    SELECT st.photo_id, st."check", st.stands, st.listed, COALESCE(st.new_verdict, cr.verdict) AS verdict,
      cr.verdict AS automatic, cr.score, p.owner_nsid, p.license, fl.photo_id IS NOT NULL AS had_flag,
      (fl.owner_nsid, fl.verdict, fl.score, fl.overridden)
        IS DISTINCT FROM (p.owner_nsid, COALESCE(st.new_verdict, cr.verdict), cr.score, st.stands) AS flag_differs
    FROM st
    -- The key's flag, if any: whether it is to be inserted, updated or deleted is known here, so the writes below need
    -- no ON CONFLICT (a speculative insertion per row, with its lock: a 100k undo writes 100k flags back).
    LEFT JOIN LATERAL (SELECT f.photo_id, f.owner_nsid, f.verdict, f.score, f.overridden FROM photo_flags f
      WHERE f.photo_id = st.photo_id AND f."check" = st."check" LIMIT 1) fl ON true
    -- The result's own verdict and score, by the whole key: a listed result's from its overridden_results row, an open
    -- flag's from the flag (no override stands, so it holds the check's own), any other from check_results. The first
    -- branch yielding a row ends the lookup, so a bulk action's keys (each listed or flagged) never probe check_results:
    -- at 8M results its index is the slowest of the three to probe (most of a 100k undo's lookup time). The keys'
    -- results are locked (above), so none of these changes meanwhile.
    CROSS JOIN LATERAL (
      (SELECT st.listed_verdict AS verdict, st.listed_score AS score WHERE st.listed)
      UNION ALL (SELECT fl.verdict, fl.score WHERE NOT st.listed AND fl.photo_id IS NOT NULL AND NOT fl.overridden)
      UNION ALL (SELECT r.verdict, r.score FROM check_results r WHERE r.photo_id = st.photo_id AND r."check" = st."check")
      LIMIT 1) cr
    JOIN photos p ON p.id = st.photo_id),
  cleared AS (
    DELETE FROM photo_flags f USING eff e
    WHERE f.photo_id = e.photo_id AND f."check" = e."check" AND e.had_flag AND e.verdict NOT IN ('fail', 'uncertain')
    RETURNING f.owner_nsid),
  added AS (
    INSERT INTO photo_flags (photo_id, "check", owner_nsid, verdict, score, overridden)
    SELECT e.photo_id, e."check", e.owner_nsid, e.verdict, e.score, e.stands
    FROM eff e WHERE NOT e.had_flag AND e.verdict IN ('fail', 'uncertain')
    ORDER BY 1, 2
    RETURNING owner_nsid),
  changed AS (
    UPDATE photo_flags f SET owner_nsid = e.owner_nsid, verdict = e.verdict, score = e.score, overridden = e.stands
    FROM eff e
    WHERE f.photo_id = e.photo_id AND f."check" = e."check" AND e.had_flag AND e.flag_differs
      AND e.verdict IN ('fail', 'uncertain')
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
  UNION SELECT owner_nsid FROM added
  UNION SELECT owner_nsid FROM changed
  UNION SELECT p.owner_nsid FROM k JOIN photos p ON p.id = k.photo_id WHERE k."check" IN ('watermark', 'duplicate')$q$;
  RETURN NULL;
END;
$$ $fn$, quarry_override_in_force_sql('ko'));
END $do$;

-- Existing databases: only a key an undo row touched can have had a stale verdict in force. Their flags are set again
-- from the views, and their accounts' inclusion groups recomputed at the next refresh.
CREATE TEMP TABLE in_force_fix ON COMMIT DROP AS
SELECT e.photo_id, e."check", p.owner_nsid, e.verdict, e.score, e.overridden
FROM (SELECT DISTINCT u.photo_id, u."check" FROM override_batches ub JOIN overrides u ON u.batch_id = ub.id
      WHERE ub.undoes_id IS NOT NULL AND u.photo_id IS NOT NULL) k
JOIN effective_verdicts e ON e.photo_id = k.photo_id AND e."check" = k."check"
JOIN photos p ON p.id = e.photo_id;
DELETE FROM photo_flags f USING in_force_fix m
WHERE f.photo_id = m.photo_id AND f."check" = m."check" AND m.verdict NOT IN ('fail', 'uncertain');
INSERT INTO photo_flags AS f (photo_id, "check", owner_nsid, verdict, score, overridden)
SELECT photo_id, "check", owner_nsid, verdict, score, overridden FROM in_force_fix
WHERE verdict IN ('fail', 'uncertain') ORDER BY 1, 2
ON CONFLICT (photo_id, "check") DO UPDATE SET owner_nsid = EXCLUDED.owner_nsid, verdict = EXCLUDED.verdict,
  score = EXCLUDED.score, overridden = EXCLUDED.overridden
WHERE (f.owner_nsid, f.verdict, f.score, f.overridden)
  IS DISTINCT FROM (EXCLUDED.owner_nsid, EXCLUDED.verdict, EXCLUDED.score, EXCLUDED.overridden);
INSERT INTO quarry_internal.inclusion_dirty (account_nsid) SELECT DISTINCT owner_nsid FROM in_force_fix;
