-- The check pages' and the checks overview's counts from maintained counts instead of counting ~1M check results (and
-- probing photos and overrides for each) on every page load: 0.1–38 s at 10M photos.
--
-- Two tables of signed deltas, written by the statement triggers below and summed by the readers
-- (lib/queries/checkCounts.ts):
-- - check_counts: check results per (check, photo licence, automatic verdict, overridden);
-- - account_check_counts: the same per account, without the licence (the check page's account filter).
-- "overridden" is the check pages' own definition: the (photo, check) has at least one override (checkPhotosWhere in
-- lib/queries/overrides.ts, whose "open" filter is its negation). Writers only append rows, so concurrent writers never
-- wait on each other; readers fold the rows back into one per group when they pile up. Bookkeeping, not data: outside
-- the public schema, like the inclusion summary.

CREATE SCHEMA IF NOT EXISTS quarry_internal;

CREATE TABLE quarry_internal.check_counts (
    "check" TEXT NOT NULL,
    license INTEGER NOT NULL,
    verdict "Verdict" NOT NULL,
    overridden BOOLEAN NOT NULL,
    n BIGINT NOT NULL
);

CREATE TABLE quarry_internal.account_check_counts (
    account_nsid TEXT NOT NULL,
    "check" TEXT NOT NULL,
    verdict "Verdict" NOT NULL,
    overridden BOOLEAN NOT NULL,
    n BIGINT NOT NULL
);
CREATE INDEX account_check_counts_account_nsid_check_idx ON quarry_internal.account_check_counts (account_nsid, "check");

-- The statement adding `keys` (a query of photo_id, "check", verdict: the automatic one, n: +1 or -1) to both tables,
-- with each photo's licence and account and whether the (photo, check) has an override. The triggers EXECUTE it, so
-- each statement is planned for its own size (one re-check, or a pipeline batch of 100k), and reads their transition
-- tables (visible to the trigger function's own statements only).
CREATE FUNCTION quarry_check_counts_sql(keys TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $f$
  SELECT format($q$
    WITH d AS MATERIALIZED (
      SELECT p.owner_nsid, p.license, k."check", k.verdict,
        EXISTS (SELECT 1 FROM overrides o WHERE o.photo_id = k.photo_id AND o."check" = k."check") AS overridden, k.n
      FROM (%s) k JOIN photos p ON p.id = k.photo_id),
    g AS (
      INSERT INTO quarry_internal.check_counts ("check", license, verdict, overridden, n)
      SELECT "check", license, verdict, overridden, sum(n) FROM d GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0)
    INSERT INTO quarry_internal.account_check_counts (account_nsid, "check", verdict, overridden, n)
    SELECT owner_nsid, "check", verdict, overridden, sum(n) FROM d GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 $q$, keys)
$f$;

-- check_results: +1 per new result, -1 per deleted one, and a re-check that changes a verdict moves one between
-- groups. A photo's own delete takes its results off first (photos_check_counts_deleting, below): by the time its
-- cascaded results' DELETE statement ends, the photo row is gone and the join skips them.
CREATE FUNCTION quarry_check_counts_results_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE quarry_check_counts_sql('SELECT photo_id, "check", verdict, 1 AS n FROM new_rows');
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE quarry_check_counts_sql('SELECT photo_id, "check", verdict, -1 AS n FROM old_rows');
  ELSE
    EXECUTE quarry_check_counts_sql('
      (SELECT photo_id, "check", verdict, 1 AS n FROM new_rows EXCEPT SELECT photo_id, "check", verdict, 1 FROM old_rows)
      UNION ALL (SELECT photo_id, "check", verdict, -1 FROM old_rows EXCEPT SELECT photo_id, "check", verdict, -1 FROM new_rows)');
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER check_results_check_counts_inserted AFTER INSERT ON "check_results"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_check_counts_results_changed();
CREATE TRIGGER check_results_check_counts_updated AFTER UPDATE ON "check_results"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_check_counts_results_changed();
CREATE TRIGGER check_results_check_counts_deleted AFTER DELETE ON "check_results"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_check_counts_results_changed();

-- overrides (append-only): the first override of a (photo, check) moves its result from not overridden to overridden.
-- Named to fire after overrides_inserted, whose row (or table) locks on check_results serialise two overrides of the
-- same photo, so the second one's statements here see the first one's row and move nothing.
CREATE FUNCTION quarry_check_counts_overrides_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE $q$
    WITH k AS (
      SELECT DISTINCT photo_id, "check" FROM new_rows n WHERE photo_id IS NOT NULL
        AND NOT EXISTS (SELECT 1 FROM overrides o WHERE o.photo_id = n.photo_id AND o."check" = n."check"
          AND o.id NOT IN (SELECT id FROM new_rows))),
    d AS MATERIALIZED (
      SELECT p.owner_nsid, p.license, cr."check", cr.verdict, x.overridden, x.n
      FROM k JOIN check_results cr ON cr.photo_id = k.photo_id AND cr."check" = k."check" JOIN photos p ON p.id = k.photo_id
      CROSS JOIN (VALUES (false, -1), (true, 1)) x(overridden, n)),
    g AS (
      INSERT INTO quarry_internal.check_counts ("check", license, verdict, overridden, n)
      SELECT "check", license, verdict, overridden, sum(n) FROM d GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0)
    INSERT INTO quarry_internal.account_check_counts (account_nsid, "check", verdict, overridden, n)
    SELECT owner_nsid, "check", verdict, overridden, sum(n) FROM d GROUP BY 1, 2, 3, 4 HAVING sum(n) <> 0 $q$;
  RETURN NULL;
END;
$$;

CREATE TRIGGER overrides_z_check_counts_inserted AFTER INSERT ON "overrides"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_check_counts_overrides_inserted();

-- photos: a deleted photo's results leave the counts before the cascade deletes them (its row is gone by the time the
-- results' statement trigger runs); a photo moving to another account or licence moves its results.
CREATE FUNCTION quarry_check_counts_photos_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE quarry_check_counts_sql('SELECT photo_id, "check", verdict, -1 AS n FROM check_results WHERE photo_id = $1') USING OLD.id;
  RETURN OLD;
END;
$$;

CREATE TRIGGER photos_check_counts_deleting BEFORE DELETE ON "photos"
  FOR EACH ROW EXECUTE FUNCTION quarry_check_counts_photos_deleted();

CREATE FUNCTION quarry_check_counts_photos_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  EXECUTE $q$
    WITH moved AS (
      SELECT n.id, o.owner_nsid AS old_owner, o.license AS old_license, n.owner_nsid AS new_owner, n.license AS new_license
      FROM new_rows n JOIN old_rows o ON o.id = n.id
      WHERE (n.owner_nsid, n.license) IS DISTINCT FROM (o.owner_nsid, o.license)),
    d AS MATERIALIZED (
      SELECT x.owner_nsid, x.license, cr."check", cr.verdict,
        EXISTS (SELECT 1 FROM overrides ov WHERE ov.photo_id = cr.photo_id AND ov."check" = cr."check") AS overridden, x.n
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

CREATE TRIGGER photos_check_counts_updated AFTER UPDATE ON "photos"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_check_counts_photos_updated();

-- The checks overview's "not judged yet" needs the photos each check applies to, per account (the watermark and border
-- checks judge accounts with enough fetched photos): one row per account, kept by the photos triggers. An upsert, as
-- account_check_totals: a statement touching an account waits for another open one touching it, in account order.
CREATE TABLE quarry_internal.account_photo_counts (
    account_nsid TEXT PRIMARY KEY,
    photos INTEGER NOT NULL,
    -- CLIP's input: a fetched image.
    fetched INTEGER NOT NULL,
    -- The duplicate check's: a fetched image with its perceptual hash, or a fetch error.
    dedupable INTEGER NOT NULL
);

CREATE FUNCTION quarry_photo_counts_sql(keys TEXT) RETURNS TEXT LANGUAGE sql IMMUTABLE AS $f$
  SELECT format($q$
    INSERT INTO quarry_internal.account_photo_counts AS c (account_nsid, photos, fetched, dedupable)
    SELECT owner_nsid, sum(n),
      COALESCE(sum(n) FILTER (WHERE content_hash IS NOT NULL AND availability = 'available'), 0),
      COALESCE(sum(n) FILTER (WHERE (availability = 'available' AND phash IS NOT NULL) OR availability = 'error'), 0)
    FROM (%s) k GROUP BY 1 ORDER BY 1
    ON CONFLICT (account_nsid) DO UPDATE SET photos = c.photos + EXCLUDED.photos,
      fetched = c.fetched + EXCLUDED.fetched, dedupable = c.dedupable + EXCLUDED.dedupable $q$, keys)
$f$;

CREATE FUNCTION quarry_photo_counts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    EXECUTE quarry_photo_counts_sql('SELECT owner_nsid, content_hash, availability, phash, 1 AS n FROM new_rows');
  ELSIF TG_OP = 'DELETE' THEN
    EXECUTE quarry_photo_counts_sql('SELECT owner_nsid, content_hash, availability, phash, -1 AS n FROM old_rows');
  ELSE
    EXECUTE quarry_photo_counts_sql('
      SELECT x.* FROM new_rows n JOIN old_rows o ON o.id = n.id
      CROSS JOIN LATERAL (VALUES (o.owner_nsid, o.content_hash, o.availability, o.phash, -1),
        (n.owner_nsid, n.content_hash, n.availability, n.phash, 1)) x(owner_nsid, content_hash, availability, phash, n)
      WHERE (n.owner_nsid, n.content_hash IS NULL, n.availability, n.phash IS NULL)
        IS DISTINCT FROM (o.owner_nsid, o.content_hash IS NULL, o.availability, o.phash IS NULL)');
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER photos_photo_counts_inserted AFTER INSERT ON "photos"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_photo_counts_changed();
CREATE TRIGGER photos_photo_counts_updated AFTER UPDATE ON "photos"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_photo_counts_changed();
CREATE TRIGGER photos_photo_counts_deleted AFTER DELETE ON "photos"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_photo_counts_changed();

-- A TRUNCATE of photos leaves no photo; of check_results (photos' cascades to it) no result to count; of overrides every
-- result not overridden.
CREATE FUNCTION quarry_check_counts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_TABLE_NAME = 'photos' THEN
    DELETE FROM quarry_internal.account_photo_counts;
  ELSIF TG_TABLE_NAME = 'check_results' THEN
    DELETE FROM quarry_internal.check_counts;
    DELETE FROM quarry_internal.account_check_counts;
  ELSE
    INSERT INTO quarry_internal.check_counts ("check", license, verdict, overridden, n)
    SELECT "check", license, verdict, x.overridden, x.sign * sum(n) FROM quarry_internal.check_counts
    CROSS JOIN (VALUES (true, -1), (false, 1)) x(overridden, sign) WHERE check_counts.overridden GROUP BY 1, 2, 3, 4, x.sign;
    INSERT INTO quarry_internal.account_check_counts (account_nsid, "check", verdict, overridden, n)
    SELECT account_nsid, "check", verdict, x.overridden, x.sign * sum(n) FROM quarry_internal.account_check_counts
    CROSS JOIN (VALUES (true, -1), (false, 1)) x(overridden, sign) WHERE account_check_counts.overridden GROUP BY 1, 2, 3, 4, x.sign;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER check_results_check_counts_truncated AFTER TRUNCATE ON "check_results"
  FOR EACH STATEMENT EXECUTE FUNCTION quarry_check_counts_truncated();
CREATE TRIGGER photos_photo_counts_truncated AFTER TRUNCATE ON "photos"
  FOR EACH STATEMENT EXECUTE FUNCTION quarry_check_counts_truncated();
CREATE TRIGGER overrides_check_counts_truncated AFTER TRUNCATE ON "overrides"
  FOR EACH STATEMENT EXECUTE FUNCTION quarry_check_counts_truncated();

-- The counts of the results already there: one pass (minutes at 77M results; nothing on a new database).
CREATE TEMP TABLE check_counts_initial AS
SELECT p.owner_nsid, p.license, cr."check", cr.verdict, ov.photo_id IS NOT NULL AS overridden, count(*) AS n
FROM check_results cr JOIN photos p ON p.id = cr.photo_id
LEFT JOIN (SELECT DISTINCT photo_id, "check" FROM overrides WHERE photo_id IS NOT NULL) ov
  ON ov.photo_id = cr.photo_id AND ov."check" = cr."check"
GROUP BY 1, 2, 3, 4, 5;
INSERT INTO quarry_internal.check_counts ("check", license, verdict, overridden, n)
SELECT "check", license, verdict, overridden, sum(n) FROM check_counts_initial GROUP BY 1, 2, 3, 4;
INSERT INTO quarry_internal.account_check_counts (account_nsid, "check", verdict, overridden, n)
SELECT owner_nsid, "check", verdict, overridden, sum(n) FROM check_counts_initial GROUP BY 1, 2, 3, 4;
DROP TABLE check_counts_initial;

INSERT INTO quarry_internal.account_photo_counts (account_nsid, photos, fetched, dedupable)
SELECT owner_nsid, count(*),
  count(*) FILTER (WHERE content_hash IS NOT NULL AND availability = 'available'),
  count(*) FILTER (WHERE (availability = 'available' AND phash IS NOT NULL) OR availability = 'error')
FROM photos GROUP BY 1;
