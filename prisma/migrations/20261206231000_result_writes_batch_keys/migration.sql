-- A check-result write's overridden_results upkeep read the standing rule over the WHOLE overrides table: its
-- `EXISTS (SELECT 1 FROM standing_overrides …)` in a WHERE is turned into a semi-join, and a join cannot push the new
-- rows' keys through the view's window (only a constant or a per-row parameter can), so every batch of the checks stage
-- sorted every override row and ran the window over them. A batch of 100 results took 0.7 s at 99k overrides, 1.6 s at
-- 284k and 5.3 s at 541k (1M photos, load 7–15; test/bench/scale/README.md): the cost of a write grew with the
-- overrides table instead of the batch.
--
-- The rule is now read over the batch's own keys' overrides: quarry_key_overrides_sql gives, for a query yielding
-- (photo_id, "check"), every override row of those keys (one probe of the key's index entries each), which is a source
-- as quarry_override_standing_sql / quarry_override_in_force_sql take it (every row of each key it holds), so the rule
-- stays one SQL text. The override trigger reads the same shape (its `ko`).
CREATE FUNCTION quarry_key_overrides_sql(keys TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $f$
  SELECT format($q$(
    SELECT o.id, o.photo_id, o."check", o.new_verdict, o.user_id, o.created_at, o.batch_id
    FROM (SELECT DISTINCT photo_id, "check" FROM (%s) k0) k
    CROSS JOIN LATERAL (SELECT * FROM overrides o WHERE o.photo_id = k.photo_id AND o."check" = k."check") o)$q$, keys)
$f$;

-- check_results: an overridden result's row (20261206180000), the standing rule read over the written keys only.
DO $do$ BEGIN
EXECUTE format($fn$
CREATE OR REPLACE FUNCTION quarry_overridden_results_results_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP IN ('UPDATE', 'DELETE') THEN
    EXECUTE $q$
      DELETE FROM quarry_internal.overridden_results r USING old_rows o
      WHERE r.photo_id = o.photo_id AND r."check" = o."check" $q$;
  END IF;
  IF TG_OP IN ('INSERT', 'UPDATE') THEN
    EXECUTE $q$
      INSERT INTO quarry_internal.overridden_results (photo_id, "check", owner_nsid, license, verdict, score)
      SELECT n.photo_id, n."check", p.owner_nsid, p.license, n.verdict, n.score
      FROM new_rows n JOIN (%s) s ON s.photo_id = n.photo_id AND s."check" = n."check"
      JOIN photos p ON p.id = n.photo_id
      WHERE s.stands
      ORDER BY 1, 2
      ON CONFLICT (photo_id, "check") DO UPDATE SET owner_nsid = EXCLUDED.owner_nsid, license = EXCLUDED.license,
        verdict = EXCLUDED.verdict, score = EXCLUDED.score $q$;
  END IF;
  RETURN NULL;
END;
$$ $fn$, quarry_override_in_force_sql(quarry_key_overrides_sql('SELECT photo_id, "check" FROM new_rows')));
END $do$;
