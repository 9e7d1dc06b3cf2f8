-- photo_flags and account_check_totals for written check results (20261206180000) ran as static PL/pgSQL statements,
-- whose plans a session caches at their first run and keeps (they have no parameters, so the cached plan is generic).
-- A transition table's size is known only when a statement is planned, and the checks stage's first write on a
-- connection is an insert of new results, whose INSERT … ON CONFLICT fires the UPDATE trigger with empty transition
-- tables: the UPDATE branch was then planned for one row and kept that plan for every later re-check. For a re-check
-- of 2,000 results it cleared flags through a nested loop over every re-checked row per flag (an anti-join against a
-- scan of the batch, quadratic in the batch). Each statement is now planned when it runs (EXECUTE), as the other result
-- triggers' statements are; the clearing is written as a join (below), which was quadratic even when planned with the
-- right sizes. The other statements are unchanged.
CREATE OR REPLACE FUNCTION quarry_check_results_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    -- A photo's own delete already took its results off (quarry_photos_deleting): its row is gone by now, so the join skips it.
    EXECUTE $q$
    INSERT INTO account_check_totals AS t (account_nsid, "check", total)
    SELECT p.owner_nsid, o."check", -count(*) FROM old_rows o JOIN photos p ON p.id = o.photo_id GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (account_nsid, "check") DO UPDATE SET total = t.total + EXCLUDED.total $q$;
    EXECUTE $q$ DELETE FROM photo_flags f USING old_rows o WHERE f.photo_id = o.photo_id AND f."check" = o."check" $q$;
  ELSIF TG_OP = 'INSERT' THEN
    EXECUTE $q$
    INSERT INTO account_check_totals AS t (account_nsid, "check", total)
    SELECT p.owner_nsid, n."check", count(*) FROM new_rows n JOIN photos p ON p.id = n.photo_id GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (account_nsid, "check") DO UPDATE SET total = t.total + EXCLUDED.total $q$;
    EXECUTE $q$
    INSERT INTO photo_flags AS f (photo_id, "check", owner_nsid, license, verdict, score, overridden)
    SELECT e.photo_id, e."check", p.owner_nsid, p.license, e.verdict, e.score, e.overridden
    FROM (
      SELECT n.photo_id, n."check", COALESCE(lo.new_verdict, n.verdict) AS verdict, n.score,
        lo.new_verdict IS NOT NULL AS overridden
      FROM new_rows n
      LEFT JOIN LATERAL (SELECT x.new_verdict FROM latest_overrides x
        WHERE x.photo_id = n.photo_id AND x."check" = n."check" OFFSET 0) lo ON true) e
    JOIN photos p ON p.id = e.photo_id
    WHERE e.verdict IN ('fail', 'uncertain')
    ORDER BY 1, 2
    ON CONFLICT (photo_id, "check") DO UPDATE SET owner_nsid = EXCLUDED.owner_nsid, license = EXCLUDED.license,
      verdict = EXCLUDED.verdict, score = EXCLUDED.score, overridden = EXCLUDED.overridden $q$;
  ELSE
    -- Re-checks keep their key; only a changed key (photos.id cascading) moves a result between totals.
    EXECUTE $q$
    INSERT INTO account_check_totals AS t (account_nsid, "check", total)
    SELECT p.owner_nsid, k."check", sum(k.n) FROM (
      (SELECT photo_id, "check", 1 AS n FROM new_rows EXCEPT SELECT photo_id, "check", 1 FROM old_rows)
      UNION ALL (SELECT photo_id, "check", -1 FROM old_rows EXCEPT SELECT photo_id, "check", -1 FROM new_rows)) k
    JOIN photos p ON p.id = k.photo_id GROUP BY 1, 2 ORDER BY 1, 2
    ON CONFLICT (account_nsid, "check") DO UPDATE SET total = t.total + EXCLUDED.total $q$;
    EXECUTE $q$
    WITH eff AS MATERIALIZED (
      SELECT n.photo_id, n."check", COALESCE(lo.new_verdict, n.verdict) AS verdict, n.score,
        lo.new_verdict IS NOT NULL AS overridden
      FROM new_rows n
      LEFT JOIN LATERAL (SELECT x.new_verdict FROM latest_overrides x
        WHERE x.photo_id = n.photo_id AND x."check" = n."check" OFFSET 0) lo ON true),
    -- A re-check clears the flag of a key no longer failed or doubted, or of a key that went away. As a join of the
    -- old keys to eff (each key once in either): as a NOT EXISTS over eff's failed keys, the planner took eff's
    -- verdict filter for 1 % of its rows and scanned eff once per old key, so a re-check clearing 2,000 flags read
    -- 4M rows (5 s at 1M photos, load 15).
    cleared AS (
      DELETE FROM photo_flags f USING old_rows o LEFT JOIN eff e ON e.photo_id = o.photo_id AND e."check" = o."check"
      WHERE f.photo_id = o.photo_id AND f."check" = o."check"
        AND (e.photo_id IS NULL OR e.verdict NOT IN ('fail', 'uncertain')))
    INSERT INTO photo_flags AS f (photo_id, "check", owner_nsid, license, verdict, score, overridden)
    SELECT e.photo_id, e."check", p.owner_nsid, p.license, e.verdict, e.score, e.overridden FROM eff e JOIN photos p ON p.id = e.photo_id
    WHERE e.verdict IN ('fail', 'uncertain') ORDER BY 1, 2
    ON CONFLICT (photo_id, "check") DO UPDATE SET owner_nsid = EXCLUDED.owner_nsid, license = EXCLUDED.license,
      verdict = EXCLUDED.verdict, score = EXCLUDED.score, overridden = EXCLUDED.overridden
    WHERE (f.owner_nsid, f.license, f.verdict, f.score, f.overridden)
      IS DISTINCT FROM (EXCLUDED.owner_nsid, EXCLUDED.license, EXCLUDED.verdict, EXCLUDED.score, EXCLUDED.overridden) $q$;
  END IF;
  RETURN NULL;
END;
$$;
