-- The inclusion summary rolled up over accounts: at 10M photos inclusion_counts holds ~1.5M (account, group) rows, too
-- many to read on each dashboard load (4 s). The rule reads only two things of an account (review_status,
-- watermark_verdict), so the groups summed per such account class are a few thousand rows. Kept in step with
-- inclusion_counts by lib/queries/inclusionSummary.ts (which subtracts an account's groups before recomputing them and
-- adds the new ones, holding the account rows FOR SHARE meanwhile) and, when an account's class changes, by the
-- trigger below.

CREATE TABLE quarry_internal.inclusion_rollup (
    review_status "ReviewStatus" NOT NULL,
    watermark_verdict "Verdict",
    license INTEGER NOT NULL,
    availability "Availability" NOT NULL,
    watermark_override "Verdict",
    check_reasons TEXT[] NOT NULL,
    photos BIGINT NOT NULL
);
CREATE UNIQUE INDEX inclusion_rollup_key ON quarry_internal.inclusion_rollup
    (review_status, watermark_verdict, license, availability, watermark_override, check_reasons) NULLS NOT DISTINCT;

-- A decision or a new account watermark verdict moves the account's groups to its new class.
CREATE FUNCTION quarry_inclusion_account_class_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO quarry_internal.inclusion_rollup AS r
    (review_status, watermark_verdict, license, availability, watermark_override, check_reasons, photos)
  SELECT v.review_status, v.watermark_verdict, c.license, c.availability, c.watermark_override, c.check_reasons,
    sum(c.photos * v.sign)
  FROM quarry_internal.inclusion_counts c
  CROSS JOIN (VALUES (OLD.review_status, OLD.watermark_verdict, -1), (NEW.review_status, NEW.watermark_verdict, 1))
    v(review_status, watermark_verdict, sign)
  WHERE c.account_nsid = NEW.nsid
  GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (review_status, watermark_verdict, license, availability, watermark_override, check_reasons)
  DO UPDATE SET photos = r.photos + EXCLUDED.photos;
  RETURN NULL;
END;
$$;

CREATE TRIGGER accounts_inclusion_class_changed AFTER UPDATE OF review_status, watermark_verdict ON "accounts"
  FOR EACH ROW WHEN (OLD.review_status IS DISTINCT FROM NEW.review_status
    OR OLD.watermark_verdict IS DISTINCT FROM NEW.watermark_verdict)
  EXECUTE FUNCTION quarry_inclusion_account_class_changed();

-- A deleted account's groups leave with it.
CREATE FUNCTION quarry_inclusion_account_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO quarry_internal.inclusion_rollup AS r
    (review_status, watermark_verdict, license, availability, watermark_override, check_reasons, photos)
  SELECT OLD.review_status, OLD.watermark_verdict, c.license, c.availability, c.watermark_override, c.check_reasons,
    -sum(c.photos)
  FROM quarry_internal.inclusion_counts c WHERE c.account_nsid = OLD.nsid
  GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
  ON CONFLICT (review_status, watermark_verdict, license, availability, watermark_override, check_reasons)
  DO UPDATE SET photos = r.photos + EXCLUDED.photos;
  DELETE FROM quarry_internal.inclusion_counts WHERE account_nsid = OLD.nsid;
  RETURN NULL;
END;
$$;

CREATE TRIGGER accounts_inclusion_deleted AFTER DELETE ON "accounts"
  FOR EACH ROW EXECUTE FUNCTION quarry_inclusion_account_deleted();

-- A summary built before this migration is rolled up once.
INSERT INTO quarry_internal.inclusion_rollup
  (review_status, watermark_verdict, license, availability, watermark_override, check_reasons, photos)
SELECT a.review_status, a.watermark_verdict, c.license, c.availability, c.watermark_override, c.check_reasons, sum(c.photos)
FROM quarry_internal.inclusion_counts c JOIN accounts a ON a.nsid = c.account_nsid
GROUP BY 1, 2, 3, 4, 5, 6;
