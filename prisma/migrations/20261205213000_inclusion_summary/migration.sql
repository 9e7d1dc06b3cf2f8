-- The dashboard's included/excluded counts from a maintained summary instead of evaluating the inclusion rule over
-- every photo on each page load (minutes at 10M photos).
--
-- inclusion_counts groups the photo half of the rule's inputs (lib/inclusion.ts photoFactsSql: license,
-- availability, the newest watermark override, the checks whose effective verdict is `fail`) per account; the
-- dashboard joins the accounts live (review status, watermark verdict) and applies the rule's one reasons expression
-- (reasonsSql) to each group. Decisions therefore never touch it. The triggers below only note which accounts'
-- photos changed (an append-only list, as flag_score_dirty: writers never wait on each other);
-- lib/queries/inclusionSummary.ts recomputes those accounts' groups through photoFactsSql. Bookkeeping, not data:
-- outside the public schema, so backups skip it; without a state row (never built, a restore, a TRUNCATE of a table
-- it reads) the next refresh rebuilds it whole.

CREATE SCHEMA IF NOT EXISTS quarry_internal;

CREATE TABLE quarry_internal.inclusion_counts (
    account_nsid TEXT NOT NULL,
    license INTEGER NOT NULL,
    availability "Availability" NOT NULL,
    watermark_override "Verdict",
    check_reasons TEXT[] NOT NULL,
    photos INTEGER NOT NULL
);
CREATE INDEX inclusion_counts_account_nsid_idx ON quarry_internal.inclusion_counts (account_nsid);

CREATE TABLE quarry_internal.inclusion_dirty (
    account_nsid TEXT NOT NULL
);
CREATE INDEX inclusion_dirty_account_nsid_idx ON quarry_internal.inclusion_dirty (account_nsid);

-- One row once the summary was built whole; refreshed_at: when the last refresh left no account pending.
CREATE TABLE quarry_internal.inclusion_summary_state (
    id BOOLEAN PRIMARY KEY DEFAULT true CHECK (id),
    built_at TIMESTAMPTZ NOT NULL,
    refreshed_at TIMESTAMPTZ NOT NULL
);

-- check_results: a new or deleted result, or a changed verdict, can change which checks a photo fails (a deleted
-- photo's results are gone with it: the photos trigger notes its account).
CREATE FUNCTION quarry_inclusion_results_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO quarry_internal.inclusion_dirty (account_nsid)
    SELECT DISTINCT p.owner_nsid FROM new_rows n JOIN photos p ON p.id = n.photo_id;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO quarry_internal.inclusion_dirty (account_nsid)
    SELECT DISTINCT p.owner_nsid FROM old_rows o JOIN photos p ON p.id = o.photo_id;
  ELSE
    INSERT INTO quarry_internal.inclusion_dirty (account_nsid)
    SELECT DISTINCT p.owner_nsid FROM (
      (SELECT photo_id, "check", verdict FROM new_rows EXCEPT SELECT photo_id, "check", verdict FROM old_rows)
      UNION ALL (SELECT photo_id, "check", verdict FROM old_rows EXCEPT SELECT photo_id, "check", verdict FROM new_rows)) k
    JOIN photos p ON p.id = k.photo_id;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER check_results_inclusion_inserted AFTER INSERT ON "check_results"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_inclusion_results_changed();
CREATE TRIGGER check_results_inclusion_updated AFTER UPDATE ON "check_results"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_inclusion_results_changed();
CREATE TRIGGER check_results_inclusion_deleted AFTER DELETE ON "check_results"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_inclusion_results_changed();

-- overrides (append-only): a photo's override changes its effective verdict; account-level rows (no photo) do not
-- enter the photo half of the rule.
CREATE FUNCTION quarry_inclusion_overrides_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO quarry_internal.inclusion_dirty (account_nsid)
  SELECT DISTINCT p.owner_nsid FROM new_rows n JOIN photos p ON p.id = n.photo_id;
  RETURN NULL;
END;
$$;

CREATE TRIGGER overrides_inclusion_inserted AFTER INSERT ON "overrides"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_inclusion_overrides_inserted();

-- photos: new and deleted photos, and changes of the columns the rule reads (owner, license, availability,
-- duplicate_of_id). A statement trigger with transition tables cannot name columns, so the function compares them.
CREATE FUNCTION quarry_inclusion_photos_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO quarry_internal.inclusion_dirty (account_nsid) SELECT DISTINCT owner_nsid FROM new_rows;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO quarry_internal.inclusion_dirty (account_nsid) SELECT DISTINCT owner_nsid FROM old_rows;
  ELSE
    INSERT INTO quarry_internal.inclusion_dirty (account_nsid)
    SELECT DISTINCT x.nsid FROM new_rows n JOIN old_rows o ON o.id = n.id
    CROSS JOIN LATERAL (VALUES (n.owner_nsid), (o.owner_nsid)) x(nsid)
    WHERE (n.owner_nsid, n.license, n.availability, n.duplicate_of_id)
      IS DISTINCT FROM (o.owner_nsid, o.license, o.availability, o.duplicate_of_id);
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER photos_inclusion_inserted AFTER INSERT ON "photos"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_inclusion_photos_changed();
CREATE TRIGGER photos_inclusion_updated AFTER UPDATE ON "photos"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_inclusion_photos_changed();
CREATE TRIGGER photos_inclusion_deleted AFTER DELETE ON "photos"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_inclusion_photos_changed();

-- A TRUNCATE (a restore) leaves nothing to note per account: forget the summary so the next refresh rebuilds it.
CREATE FUNCTION quarry_inclusion_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM quarry_internal.inclusion_summary_state;
  RETURN NULL;
END;
$$;

CREATE TRIGGER photos_inclusion_truncated AFTER TRUNCATE ON "photos"
  FOR EACH STATEMENT EXECUTE FUNCTION quarry_inclusion_truncated();
CREATE TRIGGER check_results_inclusion_truncated AFTER TRUNCATE ON "check_results"
  FOR EACH STATEMENT EXECUTE FUNCTION quarry_inclusion_truncated();
CREATE TRIGGER overrides_inclusion_truncated AFTER TRUNCATE ON "overrides"
  FOR EACH STATEMENT EXECUTE FUNCTION quarry_inclusion_truncated();
