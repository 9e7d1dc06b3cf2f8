-- Flag score: the expected share of an account's checked photos a reviewer would reject, so that "worst first" in
-- the review queue is a real order (it used to be the watermark score alone, 0 for every other account).
--
--   flag_score = (F + w * U) / N
--   F = photos with at least one effective `fail` (any check; the newest override wins, as photo_flags holds it)
--   U = photos with an effective `uncertain` and no `fail`
--   N = photos checked: the largest per-check result count of the account (account_check_totals), at least F + U
--   w = the share of `uncertain` verdicts reviewers turned into `fail` in their overrides, pulled towards 0.5 by
--       20 imaginary overrides: w = (fails + 10) / (overrides of uncertain + 20); 0.5 before anyone overrode.
-- A photo counts once however many checks flag it (a union, not a sum), so the score stays within 0..1.
--
-- The triggers below only note which accounts changed (an append-only list, so check batches never wait on each
-- other or on the accounts rows); quarry_refresh_flag_scores() recomputes those accounts. The app calls it after
-- every run batch and every override. Both tables are bookkeeping, not data: they live outside the public schema,
-- so backups skip them and a restore brings the scores back with the accounts table.

CREATE SCHEMA IF NOT EXISTS quarry_internal;

CREATE UNLOGGED TABLE quarry_internal.flag_score_dirty (
    account_nsid TEXT NOT NULL
);

CREATE TABLE quarry_internal.flag_score_settings (
    id BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
    uncertain_weight DOUBLE PRECISION NOT NULL,
    based_on INTEGER NOT NULL
);

CREATE FUNCTION quarry_photo_flags_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO quarry_internal.flag_score_dirty (account_nsid) SELECT DISTINCT owner_nsid FROM new_rows;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO quarry_internal.flag_score_dirty (account_nsid) SELECT DISTINCT owner_nsid FROM old_rows;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER photo_flags_score_inserted AFTER INSERT ON "photo_flags"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_photo_flags_changed();
CREATE TRIGGER photo_flags_score_updated AFTER UPDATE ON "photo_flags"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_photo_flags_changed();
CREATE TRIGGER photo_flags_score_deleted AFTER DELETE ON "photo_flags"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_photo_flags_changed();

-- The denominator moves with every batch of results, flagged or not.
CREATE FUNCTION quarry_check_totals_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP <> 'DELETE' THEN
    INSERT INTO quarry_internal.flag_score_dirty (account_nsid) SELECT DISTINCT account_nsid FROM new_rows;
  END IF;
  IF TG_OP <> 'INSERT' THEN
    INSERT INTO quarry_internal.flag_score_dirty (account_nsid) SELECT DISTINCT account_nsid FROM old_rows;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER account_check_totals_score_inserted AFTER INSERT ON "account_check_totals"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_check_totals_changed();
CREATE TRIGGER account_check_totals_score_updated AFTER UPDATE ON "account_check_totals"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_check_totals_changed();
CREATE TRIGGER account_check_totals_score_deleted AFTER DELETE ON "account_check_totals"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_check_totals_changed();

-- Recomputes the noted accounts (or every account, when asked or when the uncertain weight moved); returns how
-- many scores changed. Serialised by an advisory lock, so a slower caller never writes an older score last.
CREATE FUNCTION quarry_refresh_flag_scores(every_account BOOLEAN DEFAULT false) RETURNS INTEGER LANGUAGE plpgsql AS $$
DECLARE
  judged INTEGER;
  rejected INTEGER;
  w DOUBLE PRECISION;
  stored DOUBLE PRECISION;
  targets TEXT[];
  changed INTEGER;
BEGIN
  PERFORM pg_advisory_xact_lock(hashtext('quarry_refresh_flag_scores'));
  SELECT count(*), count(*) FILTER (WHERE new_verdict = 'fail') INTO judged, rejected
    FROM overrides WHERE old_verdict = 'uncertain' AND photo_id IS NOT NULL;
  w := round(((rejected + 10.0) / (judged + 20.0))::numeric, 4)::float8;
  SELECT uncertain_weight INTO stored FROM quarry_internal.flag_score_settings;
  IF stored IS DISTINCT FROM w THEN
    INSERT INTO quarry_internal.flag_score_settings (id, uncertain_weight, based_on) VALUES (true, w, judged)
      ON CONFLICT (id) DO UPDATE SET uncertain_weight = EXCLUDED.uncertain_weight, based_on = EXCLUDED.based_on;
    every_account := true;
  END IF;
  WITH drained AS (DELETE FROM quarry_internal.flag_score_dirty RETURNING account_nsid)
  SELECT array_agg(DISTINCT account_nsid) INTO targets FROM drained;
  IF NOT every_account AND targets IS NULL THEN
    RETURN 0;
  END IF;
  WITH scope AS (
    SELECT nsid FROM accounts WHERE every_account OR nsid = ANY(targets)),
  per_photo AS (
    SELECT f.owner_nsid, bool_or(f.verdict = 'fail') AS failed
    FROM photo_flags f JOIN scope s ON s.nsid = f.owner_nsid GROUP BY f.owner_nsid, f.photo_id),
  flagged AS (
    SELECT owner_nsid, count(*) FILTER (WHERE failed) AS fails, count(*) FILTER (WHERE NOT failed) AS uncertains
    FROM per_photo GROUP BY owner_nsid),
  checked AS (
    SELECT t.account_nsid, max(t.total) AS photos FROM account_check_totals t JOIN scope s ON s.nsid = t.account_nsid
    GROUP BY t.account_nsid),
  score AS (
    SELECT s.nsid, CASE WHEN f.owner_nsid IS NULL THEN 0
      ELSE round(((f.fails + w * f.uncertains) / GREATEST(COALESCE(c.photos, 0), f.fails + f.uncertains, 1))::numeric, 4)::float8
      END AS value
    FROM scope s LEFT JOIN flagged f ON f.owner_nsid = s.nsid LEFT JOIN checked c ON c.account_nsid = s.nsid),
  -- Key order, as every other writer of these rows, so two refreshes queue instead of deadlocking.
  locked AS (
    SELECT a.nsid, score.value FROM accounts a JOIN score ON score.nsid = a.nsid
    WHERE a.flag_score IS DISTINCT FROM score.value ORDER BY a.nsid FOR NO KEY UPDATE OF a)
  UPDATE accounts a SET flag_score = locked.value FROM locked WHERE a.nsid = locked.nsid;
  GET DIAGNOSTICS changed = ROW_COUNT;
  RETURN changed;
END;
$$;

-- Existing scores (the watermark score, or 0) are replaced by the formula at once.
SELECT quarry_refresh_flag_scores(true);
