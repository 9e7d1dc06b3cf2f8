-- The effective verdict, defined once: a (photo, check)'s newest reviewer override wins over the check's own verdict.
-- The inclusion rule (lib/inclusion.ts), the override writer and the triggers keeping photo_flags all read these two
-- views instead of each spelling the rule out.
--
-- Written without DISTINCT ON or LIMIT so PostgreSQL flattens the views into the query reading them: a trigger that
-- looks at one batch of photos probes overrides by (photo_id, "check", created_at) for those photos only, and a scan of
-- every photo (an export, the dashboard) becomes one hash anti-join over overrides, as the hand-written SQL did.

-- The newest override of each (photo, check): newest by created_at, then id, as every reader has always ordered them.
CREATE VIEW "latest_overrides" AS
SELECT o.photo_id, o."check", o.new_verdict, o.created_at, o.id
FROM overrides o
WHERE o.photo_id IS NOT NULL
  AND NOT EXISTS (
    SELECT 1 FROM overrides n
    WHERE n.photo_id = o.photo_id AND n."check" = o."check" AND (n.created_at, n.id) > (o.created_at, o.id));

-- One row per check result: its automatic verdict, the newest override if any, and the effective verdict.
CREATE VIEW "effective_verdicts" AS
SELECT cr.photo_id, cr."check", cr.verdict AS automatic_verdict, cr.score,
  COALESCE(lo.new_verdict, cr.verdict) AS verdict, lo.new_verdict AS override_verdict,
  lo.new_verdict IS NOT NULL AS overridden
FROM check_results cr
LEFT JOIN latest_overrides lo ON lo.photo_id = cr.photo_id AND lo."check" = cr."check";

-- The photo_flags triggers of 20261128010000_account_review_summaries, now reading effective_verdicts. The rows of
-- new_rows are check_results' current rows (an AFTER statement trigger sees its statement's writes), so reading the
-- view for their keys gives the same verdicts the hand-written join gave.
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
    FROM effective_verdicts e JOIN photos p ON p.id = e.photo_id
    WHERE (e.photo_id, e."check") IN (SELECT photo_id, "check" FROM new_rows) AND e.verdict IN ('fail', 'uncertain')
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
    WITH eff AS (
      SELECT e.photo_id, e."check", e.verdict, e.score, e.overridden FROM effective_verdicts e
      WHERE (e.photo_id, e."check") IN (SELECT photo_id, "check" FROM new_rows)),
    -- A re-check can only clear a flag its old verdict raised (an override outlasts it), or one whose key went away.
    cleared AS (
      DELETE FROM photo_flags f USING old_rows o
      WHERE f.photo_id = o.photo_id AND f."check" = o."check"
        AND (o.verdict IN ('fail', 'uncertain') OR NOT EXISTS (SELECT 1 FROM new_rows n WHERE n.photo_id = o.photo_id AND n."check" = o."check"))
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

CREATE OR REPLACE FUNCTION quarry_overrides_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Locking the results serialises this with a concurrent re-check or override of the same photo, so whichever
  -- writes the flag last has seen the other's row.
  PERFORM 1 FROM check_results cr WHERE (cr.photo_id, cr."check") IN (SELECT photo_id, "check" FROM new_rows)
    ORDER BY cr.photo_id, cr."check" FOR NO KEY UPDATE;
  DELETE FROM photo_flags f USING new_rows o WHERE f.photo_id = o.photo_id AND f."check" = o."check";
  INSERT INTO photo_flags AS f (photo_id, "check", owner_nsid, verdict, score, overridden)
  SELECT e.photo_id, e."check", p.owner_nsid, e.verdict, e.score, e.overridden
  FROM effective_verdicts e JOIN photos p ON p.id = e.photo_id
  WHERE (e.photo_id, e."check") IN (SELECT photo_id, "check" FROM new_rows) AND e.verdict IN ('fail', 'uncertain')
  ORDER BY 1, 2
  ON CONFLICT (photo_id, "check") DO UPDATE SET owner_nsid = EXCLUDED.owner_nsid, verdict = EXCLUDED.verdict,
    score = EXCLUDED.score, overridden = EXCLUDED.overridden;
  RETURN NULL;
END;
$$;
