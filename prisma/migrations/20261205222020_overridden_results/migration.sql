-- The check pages' overridden results in page order. A check's overridden results are a few thousand among ~1M
-- (at 10M photos), with verdicts and scores of their own: found by walking the check's (check, verdict, score) index and
-- testing each result for an override, a page tested up to the whole check; found from the check's overrides, a page
-- looked up every overridden result (56k for clip_nonphoto in the scale bench) to sort them. This keeps, for every check
-- result with at least one override (the check pages' "overridden", as quarry_internal.check_counts counts it), the
-- result's automatic verdict and score and the photo's account, indexed as the page reads them. Kept by the triggers
-- below; bookkeeping outside the public schema like the counts.

CREATE TABLE quarry_internal.overridden_results (
    photo_id TEXT NOT NULL,
    "check" TEXT NOT NULL,
    owner_nsid TEXT NOT NULL,
    verdict "Verdict" NOT NULL,
    score DOUBLE PRECISION,
    PRIMARY KEY (photo_id, "check")
);
CREATE INDEX overridden_results_page_idx ON quarry_internal.overridden_results ("check", verdict, score DESC, photo_id);
CREATE INDEX overridden_results_account_page_idx
  ON quarry_internal.overridden_results (owner_nsid, "check", verdict, score DESC, photo_id);

-- check_results: a new or re-checked result that has an override is (re)written with its verdict and score; a deleted
-- one (its photo's deletion included) leaves.
CREATE FUNCTION quarry_overridden_results_results_changed() RETURNS trigger LANGUAGE plpgsql AS $$
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
      WHERE EXISTS (SELECT 1 FROM overrides o WHERE o.photo_id = n.photo_id AND o."check" = n."check")
      ORDER BY 1, 2
      ON CONFLICT (photo_id, "check") DO UPDATE SET owner_nsid = EXCLUDED.owner_nsid, verdict = EXCLUDED.verdict,
        score = EXCLUDED.score $q$;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER check_results_overridden_results_inserted AFTER INSERT ON "check_results"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_overridden_results_results_changed();
CREATE TRIGGER check_results_overridden_results_updated AFTER UPDATE ON "check_results"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_overridden_results_results_changed();
CREATE TRIGGER check_results_overridden_results_deleted AFTER DELETE ON "check_results"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_overridden_results_results_changed();

-- overrides (append-only): a result's first override enters it. Named to fire after overrides_inserted (its locks; see
-- quarry_check_counts_overrides_inserted).
CREATE FUNCTION quarry_overridden_results_overrides_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE $q$
    INSERT INTO quarry_internal.overridden_results (photo_id, "check", owner_nsid, verdict, score)
    SELECT cr.photo_id, cr."check", p.owner_nsid, cr.verdict, cr.score
    FROM (SELECT DISTINCT photo_id, "check" FROM new_rows WHERE photo_id IS NOT NULL) k
    JOIN check_results cr ON cr.photo_id = k.photo_id AND cr."check" = k."check" JOIN photos p ON p.id = k.photo_id
    ORDER BY 1, 2
    ON CONFLICT (photo_id, "check") DO NOTHING $q$;
  RETURN NULL;
END;
$$;

CREATE TRIGGER overrides_z_overridden_results_inserted AFTER INSERT ON "overrides"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_overridden_results_overrides_inserted();

-- photos: a photo moving to another account moves its overridden results.
CREATE FUNCTION quarry_overridden_results_photos_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE $q$
    UPDATE quarry_internal.overridden_results r SET owner_nsid = n.owner_nsid
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE r.photo_id = n.id AND n.owner_nsid IS DISTINCT FROM o.owner_nsid $q$;
  RETURN NULL;
END;
$$;

CREATE TRIGGER photos_overridden_results_updated AFTER UPDATE ON "photos"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_overridden_results_photos_updated();

CREATE FUNCTION quarry_overridden_results_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM quarry_internal.overridden_results;
  RETURN NULL;
END;
$$;

CREATE TRIGGER check_results_overridden_results_truncated AFTER TRUNCATE ON "check_results"
  FOR EACH STATEMENT EXECUTE FUNCTION quarry_overridden_results_truncated();
CREATE TRIGGER overrides_overridden_results_truncated AFTER TRUNCATE ON "overrides"
  FOR EACH STATEMENT EXECUTE FUNCTION quarry_overridden_results_truncated();

INSERT INTO quarry_internal.overridden_results (photo_id, "check", owner_nsid, verdict, score)
SELECT cr.photo_id, cr."check", p.owner_nsid, cr.verdict, cr.score
FROM (SELECT DISTINCT photo_id, "check" FROM overrides WHERE photo_id IS NOT NULL) k
JOIN check_results cr ON cr.photo_id = k.photo_id AND cr."check" = k."check" JOIN photos p ON p.id = k.photo_id;
