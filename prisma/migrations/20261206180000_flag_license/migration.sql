-- The check pages filter by licence, but photo_flags and overridden_results carried the account and not the licence:
-- a licence-filtered page probed photos (photos_id_license_idx) for each flag it read in score order, ~40k probes for a
-- page of 200 of a licence 0.5 % of the photos carry (0.8-3.9 s at 10M photos, test/bench/scale/README.md). Both tables
-- now carry the photo's licence, kept by the same triggers that keep owner_nsid (check results written, overrides
-- inserted and undone, a photo's licence changed; a photo's delete and renumbering reach the flags through its check
-- results), and page indexes lead with (check, [overridden,] verdict, license) so such a page reads its licence's own
-- range in page order. The account page indexes end with the licence, so an account's page with a licence filter
-- tests it in the index (no row fetch).
SET LOCAL maintenance_work_mem = '512MB';

-- Backfill. photo_flags is written again whole, with the licence, into an emptied table, and its indexes built
-- afterwards (one sort each). An UPDATE of every flag instead left a dead version of each row, which the indexes built
-- in the same transaction index too: at 10M photos (3M flags) each came out 1.5-2 times its size. Its triggers are off
-- meanwhile: the flags are the same flags (the account scores they feed do not change, and quarry_keep_derived would
-- drop these inserts).
CREATE TEMP TABLE flag_license ON COMMIT DROP AS
SELECT f.photo_id, f."check", f.owner_nsid, p.license, f.verdict, f.score, f.overridden
FROM "photo_flags" f JOIN photos p ON p.id = f.photo_id;
ALTER TABLE "photo_flags" DROP CONSTRAINT "photo_flags_pkey";
DROP INDEX "photo_flags_check_overridden_verdict_score_photo_id_idx";
DROP INDEX "photo_flags_owner_nsid_check_overridden_verdict_score_photo_id_";
DROP INDEX "photo_flags_sample_order_fail_idx";
TRUNCATE "photo_flags";
ALTER TABLE "photo_flags" ADD COLUMN "license" INTEGER NOT NULL;
ALTER TABLE "photo_flags" DISABLE TRIGGER USER;
INSERT INTO "photo_flags" (photo_id, "check", owner_nsid, license, verdict, score, overridden)
SELECT photo_id, "check", owner_nsid, license, verdict, score, overridden FROM flag_license ORDER BY 1, 2;
ALTER TABLE "photo_flags" ENABLE TRIGGER USER;
ALTER TABLE "photo_flags" ADD CONSTRAINT "photo_flags_pkey" PRIMARY KEY ("photo_id", "check");
CREATE INDEX "photo_flags_check_overridden_verdict_score_photo_id_idx"
  ON "photo_flags"("check", "overridden", "verdict", "score" DESC, "photo_id");
CREATE INDEX "photo_flags_license_page_idx"
  ON "photo_flags"("check", "overridden", "verdict", "license", "score" DESC, "photo_id");
CREATE INDEX "photo_flags_account_page_idx"
  ON "photo_flags"("owner_nsid", "check", "overridden", "verdict", "score" DESC, "photo_id", "license");
CREATE INDEX "photo_flags_sample_order_fail_idx" ON "photo_flags" ((hashtextextended(photo_id, 0)))
  INCLUDE (photo_id, "check") WHERE verdict = 'fail';

-- overridden_results (~72k rows at 10M photos) is small enough to update in place.
ALTER TABLE quarry_internal.overridden_results ADD COLUMN license INTEGER;
UPDATE quarry_internal.overridden_results r SET license = p.license FROM photos p WHERE p.id = r.photo_id;
ALTER TABLE quarry_internal.overridden_results ALTER COLUMN license SET NOT NULL;
CREATE INDEX overridden_results_license_page_idx
  ON quarry_internal.overridden_results ("check", verdict, license, score DESC, photo_id);
DROP INDEX quarry_internal.overridden_results_account_page_idx;
CREATE INDEX overridden_results_account_page_idx
  ON quarry_internal.overridden_results (owner_nsid, "check", verdict, score DESC, photo_id, license);
ANALYZE "photo_flags", quarry_internal.overridden_results;

-- A photo's licence changing (a re-fetch) changes its flags'. Per row, as quarry_photos_owner_changed does for the
-- account: the WHEN makes it cost nothing for every other photo update.
CREATE FUNCTION quarry_photo_flags_license_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE photo_flags SET license = NEW.license WHERE photo_id = NEW.id;
  RETURN NULL;
END;
$$;
CREATE TRIGGER photos_flags_license_changed AFTER UPDATE OF license ON "photos"
  FOR EACH ROW WHEN (OLD.license IS DISTINCT FROM NEW.license) EXECUTE FUNCTION quarry_photo_flags_license_changed();

-- photos: a photo moving to another account or licence moves its overridden results (20261205222020, + license).
CREATE OR REPLACE FUNCTION quarry_overridden_results_photos_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE $q$
    UPDATE quarry_internal.overridden_results r SET owner_nsid = n.owner_nsid, license = n.license
    FROM new_rows n JOIN old_rows o ON o.id = n.id
    WHERE r.photo_id = n.id AND (n.owner_nsid, n.license) IS DISTINCT FROM (o.owner_nsid, o.license) $q$;
  RETURN NULL;
END;
$$;

-- check_results: an overridden result's row (20261206100000, + license).
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
      SELECT n.photo_id, n."check", p.owner_nsid, p.license, n.verdict, n.score FROM new_rows n JOIN photos p ON p.id = n.photo_id
      WHERE EXISTS (SELECT 1 FROM standing_overrides o WHERE o.photo_id = n.photo_id AND o."check" = n."check")
      ORDER BY 1, 2
      ON CONFLICT (photo_id, "check") DO UPDATE SET owner_nsid = EXCLUDED.owner_nsid, license = EXCLUDED.license,
        verdict = EXCLUDED.verdict, score = EXCLUDED.score $q$;
  END IF;
  RETURN NULL;
END;
$$;

-- The two functions below are 20261206150000's with the flag's licence written beside its account (and compared where
-- the account is).
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
      verdict = EXCLUDED.verdict, score = EXCLUDED.score, overridden = EXCLUDED.overridden;
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
    INSERT INTO photo_flags AS f (photo_id, "check", owner_nsid, license, verdict, score, overridden)
    SELECT e.photo_id, e."check", p.owner_nsid, p.license, e.verdict, e.score, e.overridden FROM eff e JOIN photos p ON p.id = e.photo_id
    WHERE e.verdict IN ('fail', 'uncertain') ORDER BY 1, 2
    ON CONFLICT (photo_id, "check") DO UPDATE SET owner_nsid = EXCLUDED.owner_nsid, license = EXCLUDED.license,
      verdict = EXCLUDED.verdict, score = EXCLUDED.score, overridden = EXCLUDED.overridden
    WHERE (f.owner_nsid, f.license, f.verdict, f.score, f.overridden)
      IS DISTINCT FROM (EXCLUDED.owner_nsid, EXCLUDED.license, EXCLUDED.verdict, EXCLUDED.score, EXCLUDED.overridden);
  END IF;
  RETURN NULL;
END;
$$;

-- New overrides: the flag's and the overridden result's licence is the photo's, fetched beside its account.
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
      (fl.owner_nsid, fl.license, fl.verdict, fl.score, fl.overridden)
        IS DISTINCT FROM (p.owner_nsid, p.license, COALESCE(st.new_verdict, cr.verdict), cr.score, st.stands) AS flag_differs
    FROM st
    -- The key's flag, if any: whether it is to be inserted, updated or deleted is known here, so the writes below need
    -- no ON CONFLICT (a speculative insertion per row, with its lock: a 100k undo writes 100k flags back).
    LEFT JOIN LATERAL (SELECT f.photo_id, f.owner_nsid, f.license, f.verdict, f.score, f.overridden FROM photo_flags f
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
    INSERT INTO photo_flags (photo_id, "check", owner_nsid, license, verdict, score, overridden)
    SELECT e.photo_id, e."check", e.owner_nsid, e.license, e.verdict, e.score, e.stands
    FROM eff e WHERE NOT e.had_flag AND e.verdict IN ('fail', 'uncertain')
    ORDER BY 1, 2
    RETURNING owner_nsid),
  changed AS (
    UPDATE photo_flags f SET owner_nsid = e.owner_nsid, license = e.license, verdict = e.verdict, score = e.score,
      overridden = e.stands
    FROM eff e
    WHERE f.photo_id = e.photo_id AND f."check" = e."check" AND e.had_flag AND e.flag_differs
      AND e.verdict IN ('fail', 'uncertain')
    RETURNING f.owner_nsid),
  moved AS MATERIALIZED (SELECT * FROM eff WHERE stands <> listed),
  listed_now AS (
    INSERT INTO quarry_internal.overridden_results (photo_id, "check", owner_nsid, license, verdict, score)
    SELECT photo_id, "check", owner_nsid, license, automatic, score FROM moved WHERE stands ORDER BY 1, 2
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

