-- Bulk overrides (issue #20: 100k in one action under 5 s). A 100k-row INSERT into overrides spent most of its time in
-- per-row work around the rows rather than in writing them: four foreign keys checked one row at a time (an SPI query
-- and, for photos, a row lock per row: about 45 % of the statement), a second statement trigger joining every new row
-- to photos for the inclusion summary's notes, and two NULL-only index entries per row. Each is now done once per
-- statement.

-- 1. References: checked once per statement, set-based, by a trigger instead of four per-row foreign keys. What the
--    foreign keys guaranteed still holds: a new override refers only to existing rows (checked below, in the inserting
--    transaction), and a referenced user, photo, account or batch is never deleted or renumbered while an override
--    refers to it (the triggers of section 2; the keys' ON DELETE SET NULL / ON UPDATE CASCADE could never run anyway:
--    overrides are append-only, so the cascaded UPDATE was refused). schema.prisma models these columns as plain
--    columns accordingly (test/lib/schemaDrift.test.ts expects no foreign key for them).
ALTER TABLE "overrides" DROP CONSTRAINT "overrides_user_id_fkey";
ALTER TABLE "overrides" DROP CONSTRAINT "overrides_photo_id_fkey";
ALTER TABLE "overrides" DROP CONSTRAINT "overrides_account_nsid_fkey";
ALTER TABLE "overrides" DROP CONSTRAINT "overrides_batch_id_fkey";

-- enable_seqscan off: every probe here has an index; statistics taken while overrides looked empty (right after an
-- autovacuum, or a plan of a tiny table) must not turn a probe per key into a scan per key.
CREATE FUNCTION quarry_overrides_references_checked() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
  IF EXISTS (SELECT 1 FROM (SELECT DISTINCT user_id FROM new_rows) n
             WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = n.user_id)) THEN
    RAISE EXCEPTION 'insert into overrides: user_id refers to no user' USING ERRCODE = 'foreign_key_violation';
  END IF;
  -- Not DISTINCT: probed in the statement's own row order (a bulk writer's is photo order, so the probes walk the
  -- index in order, about twice as fast as hashed order), a photo's rarely repeated.
  IF EXISTS (SELECT 1 FROM new_rows n
             WHERE n.photo_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM photos p WHERE p.id = n.photo_id)) THEN
    RAISE EXCEPTION 'insert into overrides: photo_id refers to no photo' USING ERRCODE = 'foreign_key_violation';
  END IF;
  IF EXISTS (SELECT 1 FROM (SELECT DISTINCT account_nsid FROM new_rows WHERE account_nsid IS NOT NULL) n
             WHERE NOT EXISTS (SELECT 1 FROM accounts a WHERE a.nsid = n.account_nsid)) THEN
    RAISE EXCEPTION 'insert into overrides: account_nsid refers to no account' USING ERRCODE = 'foreign_key_violation';
  END IF;
  -- The batch row is written before its overrides (lib/queries/overrideBatches.ts), in the same transaction.
  IF EXISTS (SELECT 1 FROM (SELECT DISTINCT batch_id FROM new_rows WHERE batch_id IS NOT NULL) n
             WHERE NOT EXISTS (SELECT 1 FROM override_batches b WHERE b.id = n.batch_id)) THEN
    RAISE EXCEPTION 'insert into overrides: batch_id refers to no batch' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER overrides_references_checked AFTER INSERT ON "overrides"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_overrides_references_checked();

-- 2. The referenced side. A foreign key's row lock (FOR KEY SHARE per inserted row) is replaced by table locks on the
--    rare side: deleting or renumbering a referenced row first takes SHARE on overrides, which waits for every
--    transaction still inserting overrides (their ROW EXCLUSIVE) and holds new ones off until it commits, so the check
--    below sees every override that can refer to the row. The app never deletes users, photos or accounts.
CREATE FUNCTION quarry_overrides_referenced_changing() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
  -- TG_ARGV: the overrides column, then the key column of this table.
  key TEXT := to_jsonb(OLD) ->> TG_ARGV[1];
  referring BOOLEAN;
BEGIN
  LOCK TABLE overrides IN SHARE MODE;
  EXECUTE format('SELECT EXISTS (SELECT 1 FROM overrides WHERE %I = $1)', TG_ARGV[0]) INTO referring USING key;
  IF referring THEN
    RAISE EXCEPTION '% % is referred to by overrides (append-only history): it cannot be %', TG_TABLE_NAME, key,
      CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'renumbered' END
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END;
$$;

CREATE TRIGGER users_overrides_referenced BEFORE DELETE ON "users"
  FOR EACH ROW EXECUTE FUNCTION quarry_overrides_referenced_changing('user_id', 'id');
CREATE TRIGGER users_overrides_renumbered BEFORE UPDATE OF id ON "users"
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION quarry_overrides_referenced_changing('user_id', 'id');
CREATE TRIGGER photos_overrides_referenced BEFORE DELETE ON "photos"
  FOR EACH ROW EXECUTE FUNCTION quarry_overrides_referenced_changing('photo_id', 'id');
CREATE TRIGGER photos_overrides_renumbered BEFORE UPDATE OF id ON "photos"
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION quarry_overrides_referenced_changing('photo_id', 'id');
CREATE TRIGGER accounts_overrides_referenced BEFORE DELETE ON "accounts"
  FOR EACH ROW EXECUTE FUNCTION quarry_overrides_referenced_changing('account_nsid', 'nsid');
CREATE TRIGGER accounts_overrides_renumbered BEFORE UPDATE OF nsid ON "accounts"
  FOR EACH ROW WHEN (OLD.nsid IS DISTINCT FROM NEW.nsid) EXECUTE FUNCTION quarry_overrides_referenced_changing('account_nsid', 'nsid');
-- override_batches are append-only already (override_batches_append_only refuses UPDATE and DELETE).

-- TRUNCATE fires no row trigger. Each of these tables is referenced by other foreign keys too, so a TRUNCATE of it
-- succeeds only with CASCADE or with those tables listed, which used to empty overrides as well: it still does.
CREATE FUNCTION quarry_overrides_referenced_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Already empty when the same TRUNCATE listed overrides (truncating it twice in one command is refused).
  IF EXISTS (SELECT 1 FROM overrides) THEN
    TRUNCATE overrides;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER users_overrides_truncated AFTER TRUNCATE ON "users"
  FOR EACH STATEMENT EXECUTE FUNCTION quarry_overrides_referenced_truncated();
CREATE TRIGGER photos_overrides_truncated AFTER TRUNCATE ON "photos"
  FOR EACH STATEMENT EXECUTE FUNCTION quarry_overrides_referenced_truncated();
CREATE TRIGGER accounts_overrides_truncated AFTER TRUNCATE ON "accounts"
  FOR EACH STATEMENT EXECUTE FUNCTION quarry_overrides_referenced_truncated();
CREATE TRIGGER override_batches_overrides_truncated AFTER TRUNCATE ON "override_batches"
  FOR EACH STATEMENT EXECUTE FUNCTION quarry_overrides_referenced_truncated();

-- 3. Two indexes held an entry for every photo override only to say "none": a request id (bulk rows have none) and
--    an account (photo rows have none). Both now index only the rows that have one; every lookup names a value.
DROP INDEX "overrides_request_id_key";
CREATE UNIQUE INDEX "overrides_request_id_key" ON "overrides"("request_id") WHERE "request_id" IS NOT NULL;
DROP INDEX "overrides_account_nsid_check_created_at_idx";
CREATE INDEX "overrides_account_nsid_check_created_at_idx" ON "overrides"("account_nsid", "check", "created_at")
  WHERE "account_nsid" IS NOT NULL;

-- 4. One statement trigger for new overrides instead of two: the inclusion summary's notes come from the flags this
--    trigger clears or writes, which carry their owner, instead of a join of every new row to photos. A key flagged
--    neither before nor after had an effective verdict other than fail both times (photo_flags holds exactly the keys
--    whose effective verdict is fail or uncertain), so the photo half of the inclusion rule did not change for it;
--    overrides of the watermark and duplicate checks are read by the rule directly (lib/inclusion.ts photoFactsSql),
--    so their accounts are always noted.
DROP TRIGGER overrides_inclusion_inserted ON "overrides";
DROP FUNCTION quarry_inclusion_overrides_inserted();

CREATE OR REPLACE FUNCTION quarry_overrides_inserted() RETURNS trigger LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
  -- Locking: as in 20261205211000 (a bulk writer takes the table lock itself, before reading its matches).
  IF (SELECT count(*) FROM new_rows) >= 10000 THEN
    LOCK TABLE check_results IN EXCLUSIVE MODE;
  ELSE
    PERFORM 1 FROM (SELECT DISTINCT photo_id, "check" FROM new_rows WHERE photo_id IS NOT NULL ORDER BY 1, 2) k
      CROSS JOIN LATERAL (SELECT 1 FROM check_results cr WHERE cr.photo_id = k.photo_id AND cr."check" = k."check"
        FOR NO KEY UPDATE) l;
  END IF;
  -- EXECUTEd, so planned for its own statement's size (as in 20261205211000): each key's newest override, then only
  -- the flags that change, and the owners of those flags noted for the inclusion summary. The keys are sorted, so the
  -- lookups in overrides, photo_flags, check_results and photos each walk their index in order: 100k of them took
  -- half the time they took in hashed order.
  EXECUTE $q$
  WITH k AS (
    SELECT DISTINCT photo_id, "check" FROM new_rows WHERE photo_id IS NOT NULL ORDER BY 1, 2),
  eff AS MATERIALIZED (
    SELECT k.photo_id, k."check", lo.new_verdict AS verdict FROM k
    CROSS JOIN LATERAL (SELECT o.new_verdict FROM overrides o WHERE o.photo_id = k.photo_id AND o."check" = k."check"
      ORDER BY o.created_at DESC, o.id DESC LIMIT 1) lo),
  cleared AS (
    DELETE FROM photo_flags f USING eff e
    WHERE f.photo_id = e.photo_id AND f."check" = e."check" AND e.verdict NOT IN ('fail', 'uncertain')
    RETURNING f.owner_nsid),
  flagged AS (
    INSERT INTO photo_flags AS f (photo_id, "check", owner_nsid, verdict, score, overridden)
    SELECT e.photo_id, e."check", p.owner_nsid, e.verdict, cr.score, true
    FROM eff e
    -- A lookup by the whole key (LIMIT 1 keeps it one): joined plainly, the planner probed the results by photo alone,
    -- reading every check's result of the photo to keep one.
    CROSS JOIN LATERAL (SELECT r.score FROM check_results r WHERE r.photo_id = e.photo_id AND r."check" = e."check"
      LIMIT 1) cr
    JOIN photos p ON p.id = e.photo_id
    WHERE e.verdict IN ('fail', 'uncertain')
    ORDER BY 1, 2
    ON CONFLICT (photo_id, "check") DO UPDATE SET owner_nsid = EXCLUDED.owner_nsid, verdict = EXCLUDED.verdict,
      score = EXCLUDED.score, overridden = EXCLUDED.overridden
    WHERE (f.owner_nsid, f.verdict, f.score, f.overridden)
      IS DISTINCT FROM (EXCLUDED.owner_nsid, EXCLUDED.verdict, EXCLUDED.score, EXCLUDED.overridden)
    RETURNING f.owner_nsid)
  INSERT INTO quarry_internal.inclusion_dirty (account_nsid)
  SELECT owner_nsid FROM cleared
  UNION SELECT owner_nsid FROM flagged
  UNION SELECT p.owner_nsid FROM k JOIN photos p ON p.id = k.photo_id WHERE k."check" IN ('watermark', 'duplicate')$q$;
  RETURN NULL;
END;
$$;

-- 5. photo_flags rows are written only by triggers; the guard against a direct write (20261128010000) ran a PL/pgSQL
--    call for every row a trigger wrote (100k for an undone bulk action). The condition moves into WHEN, evaluated
--    without a call: only a direct write (trigger depth 0) reaches the function, which drops the row.
DROP TRIGGER photo_flags_derived ON "photo_flags";
CREATE TRIGGER photo_flags_derived BEFORE INSERT ON "photo_flags"
  FOR EACH ROW WHEN (pg_trigger_depth() < 1) EXECUTE FUNCTION quarry_keep_derived();
