-- What the account review page summarises, kept by triggers so that every writer of check_results, overrides and
-- photos keeps it right without knowing about it: the page then reads an account's flagged results (a few percent of
-- its check results) instead of probing every check result of every photo, which took 0.3-0.7 s for a 24k-photo account.

-- Check results per account and check: the denominator of each check's flagged share. Every batch of results
-- updates these rows; the free space lets those updates stay on their page (HOT) without touching the index.
CREATE TABLE "account_check_totals" (
    "account_nsid" TEXT NOT NULL,
    "check" TEXT NOT NULL,
    "total" INTEGER NOT NULL DEFAULT 0,
    CONSTRAINT "account_check_totals_pkey" PRIMARY KEY ("account_nsid","check")
) WITH (fillfactor = 70);

-- Each (photo, check) whose effective verdict (the newest override, else the check's) is fail or uncertain, by owner.
CREATE TABLE "photo_flags" (
    "photo_id" TEXT NOT NULL,
    "check" TEXT NOT NULL,
    "owner_nsid" TEXT NOT NULL,
    "verdict" "Verdict" NOT NULL,
    "score" DOUBLE PRECISION,
    "overridden" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "photo_flags_pkey" PRIMARY KEY ("photo_id","check")
);

CREATE INDEX "photo_flags_owner_nsid_idx" ON "photo_flags"("owner_nsid");

ALTER TABLE "account_check_totals" ADD CONSTRAINT "account_check_totals_account_nsid_fkey" FOREIGN KEY ("account_nsid") REFERENCES "accounts"("nsid") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "photo_flags" ADD CONSTRAINT "photo_flags_photo_id_fkey" FOREIGN KEY ("photo_id") REFERENCES "photos"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Rows are written in key order everywhere, so concurrent writers of overlapping accounts queue instead of deadlocking.
-- Only flagged results (a few percent) are looked up by owner and written to photo_flags; a re-check that leaves a
-- flag as it was writes nothing there.
CREATE FUNCTION quarry_check_results_changed() RETURNS trigger LANGUAGE plpgsql AS $$
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
    WITH lo AS (
      SELECT DISTINCT ON (o.photo_id, o."check") o.photo_id, o."check", o.new_verdict FROM overrides o
      WHERE o.photo_id IN (SELECT photo_id FROM new_rows) ORDER BY o.photo_id, o."check", o.created_at DESC, o.id DESC),
    eff AS (
      SELECT n.photo_id, n."check", COALESCE(lo.new_verdict, n.verdict) AS verdict, n.score, lo.new_verdict IS NOT NULL AS overridden
      FROM new_rows n LEFT JOIN lo ON lo.photo_id = n.photo_id AND lo."check" = n."check")
    INSERT INTO photo_flags AS f (photo_id, "check", owner_nsid, verdict, score, overridden)
    SELECT e.photo_id, e."check", p.owner_nsid, e.verdict, e.score, e.overridden FROM eff e JOIN photos p ON p.id = e.photo_id
    WHERE e.verdict IN ('fail', 'uncertain') ORDER BY 1, 2
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
    WITH lo AS (
      SELECT DISTINCT ON (o.photo_id, o."check") o.photo_id, o."check", o.new_verdict FROM overrides o
      WHERE o.photo_id IN (SELECT photo_id FROM new_rows) ORDER BY o.photo_id, o."check", o.created_at DESC, o.id DESC),
    eff AS (
      SELECT n.photo_id, n."check", COALESCE(lo.new_verdict, n.verdict) AS verdict, n.score, lo.new_verdict IS NOT NULL AS overridden
      FROM new_rows n LEFT JOIN lo ON lo.photo_id = n.photo_id AND lo."check" = n."check"),
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

CREATE TRIGGER check_results_inserted AFTER INSERT ON "check_results"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_check_results_changed();
CREATE TRIGGER check_results_updated AFTER UPDATE ON "check_results"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_check_results_changed();
CREATE TRIGGER check_results_deleted AFTER DELETE ON "check_results"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_check_results_changed();

CREATE FUNCTION quarry_check_results_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- DELETE, not TRUNCATE: a TRUNCATE ... CASCADE that reached these tables too is still using them.
  DELETE FROM account_check_totals;
  DELETE FROM photo_flags;
  RETURN NULL;
END;
$$;

CREATE TRIGGER check_results_truncated AFTER TRUNCATE ON "check_results"
  FOR EACH STATEMENT EXECUTE FUNCTION quarry_check_results_truncated();

CREATE FUNCTION quarry_overrides_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Locking the results serialises this with a concurrent re-check or override of the same photo, so whichever
  -- writes the flag last has seen the other's row.
  PERFORM 1 FROM check_results cr WHERE (cr.photo_id, cr."check") IN (SELECT photo_id, "check" FROM new_rows)
    ORDER BY cr.photo_id, cr."check" FOR NO KEY UPDATE;
  DELETE FROM photo_flags f USING new_rows o WHERE f.photo_id = o.photo_id AND f."check" = o."check";
  INSERT INTO photo_flags AS f (photo_id, "check", owner_nsid, verdict, score, overridden)
  SELECT cr.photo_id, cr."check", p.owner_nsid, lo.new_verdict, cr.score, true
  FROM check_results cr JOIN photos p ON p.id = cr.photo_id
  CROSS JOIN LATERAL (SELECT o.new_verdict FROM overrides o WHERE o.photo_id = cr.photo_id AND o."check" = cr."check"
    ORDER BY o.created_at DESC, o.id DESC LIMIT 1) lo
  WHERE (cr.photo_id, cr."check") IN (SELECT photo_id, "check" FROM new_rows) AND lo.new_verdict IN ('fail', 'uncertain')
  ORDER BY 1, 2
  ON CONFLICT (photo_id, "check") DO UPDATE SET owner_nsid = EXCLUDED.owner_nsid, verdict = EXCLUDED.verdict,
    score = EXCLUDED.score, overridden = EXCLUDED.overridden;
  RETURN NULL;
END;
$$;

CREATE TRIGGER overrides_inserted AFTER INSERT ON "overrides"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_overrides_inserted();

CREATE FUNCTION quarry_photos_owner_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE photo_flags SET owner_nsid = NEW.owner_nsid WHERE photo_id = NEW.id;
  INSERT INTO account_check_totals AS t (account_nsid, "check", total)
  SELECT v.nsid, cr."check", v.n FROM check_results cr CROSS JOIN (VALUES (OLD.owner_nsid, -1), (NEW.owner_nsid, 1)) v(nsid, n)
  WHERE cr.photo_id = NEW.id ORDER BY 1, 2
  ON CONFLICT (account_nsid, "check") DO UPDATE SET total = t.total + EXCLUDED.total;
  RETURN NULL;
END;
$$;

CREATE TRIGGER photos_owner_changed AFTER UPDATE OF owner_nsid ON "photos"
  FOR EACH ROW WHEN (OLD.owner_nsid IS DISTINCT FROM NEW.owner_nsid) EXECUTE FUNCTION quarry_photos_owner_changed();

-- Before, not after: the cascade that deletes the photo's results runs once the photo (and so its owner) is gone.
CREATE FUNCTION quarry_photos_deleting() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO account_check_totals AS t (account_nsid, "check", total)
  SELECT OLD.owner_nsid, cr."check", -1 FROM check_results cr WHERE cr.photo_id = OLD.id ORDER BY 2
  ON CONFLICT (account_nsid, "check") DO UPDATE SET total = t.total + EXCLUDED.total;
  RETURN OLD;
END;
$$;

CREATE TRIGGER photos_deleting BEFORE DELETE ON "photos"
  FOR EACH ROW EXECUTE FUNCTION quarry_photos_deleting();

INSERT INTO account_check_totals (account_nsid, "check", total)
SELECT p.owner_nsid, cr."check", count(*) FROM check_results cr JOIN photos p ON p.id = cr.photo_id GROUP BY 1, 2;

INSERT INTO photo_flags (photo_id, "check", owner_nsid, verdict, score, overridden)
SELECT cr.photo_id, cr."check", p.owner_nsid, COALESCE(lo.new_verdict, cr.verdict), cr.score, lo.new_verdict IS NOT NULL
FROM check_results cr JOIN photos p ON p.id = cr.photo_id
LEFT JOIN (SELECT DISTINCT ON (photo_id, "check") photo_id, "check", new_verdict FROM overrides WHERE photo_id IS NOT NULL
  ORDER BY photo_id, "check", created_at DESC, id DESC) lo ON lo.photo_id = cr.photo_id AND lo."check" = cr."check"
WHERE COALESCE(lo.new_verdict, cr.verdict) IN ('fail', 'uncertain');

-- Only the triggers above write these tables. A restore copies them back along with check_results and overrides,
-- whose triggers rebuild them, so a row written from outside a trigger is dropped rather than counted twice.
CREATE FUNCTION quarry_keep_derived() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF pg_trigger_depth() < 2 THEN
    RETURN NULL;
  END IF;
  RETURN NEW;
END;
$$;

CREATE TRIGGER account_check_totals_derived BEFORE INSERT ON "account_check_totals"
  FOR EACH ROW EXECUTE FUNCTION quarry_keep_derived();
CREATE TRIGGER photo_flags_derived BEFORE INSERT ON "photo_flags"
  FOR EACH ROW EXECUTE FUNCTION quarry_keep_derived();
