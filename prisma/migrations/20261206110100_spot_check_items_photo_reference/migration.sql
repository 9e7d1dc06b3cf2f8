-- Spot-check items refer to their photos through a check once per statement instead of a per-row foreign key, as
-- overrides do (20261205221000). A 1,000-photo spot-check's INSERT spent 0.2-1 s in its foreign key at 10M photos: one
-- SPI query per row, each reading the photo's key and row (random, cold) and locking the row (FOR KEY SHARE: a WAL
-- record, and a full-page image for each heap page first written since the checkpoint, ~7 MB). The check below probes
-- the sampling order index instead (photos_sample_order_idx: a sample's photos are neighbours there, in the few pages
-- the draw just read) and locks no row.
-- What the foreign key guaranteed still holds: an item refers only to an existing photo (checked below, in the
-- inserting transaction), and a referenced photo is never deleted while an item refers to it (ON DELETE RESTRICT:
-- the trigger on photos below). Renumbering a referenced photo, which cascaded before, is refused as it is for
-- overrides: the app never deletes or renumbers photos. schema.prisma models photo_id as a plain column accordingly.
ALTER TABLE "spot_check_items" DROP CONSTRAINT "spot_check_items_photo_id_fkey";

CREATE FUNCTION quarry_spot_check_items_photos_checked() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- The id compared outside the index condition (IS TRUE), so the probe is by the hash: through the sampling index,
  -- not by the id through the photos' key, whose pages for a random sample are as many random reads.
  IF EXISTS (SELECT 1 FROM new_rows n
             WHERE NOT EXISTS (SELECT 1 FROM photos p WHERE hashtextextended(p.id, 0) = hashtextextended(n.photo_id, 0)
                                 AND (p.id = n.photo_id) IS TRUE)) THEN
    RAISE EXCEPTION 'insert into spot_check_items: photo_id refers to no photo' USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER spot_check_items_photos_inserted AFTER INSERT ON "spot_check_items"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_spot_check_items_photos_checked();
CREATE TRIGGER spot_check_items_photos_updated AFTER UPDATE ON "spot_check_items"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_spot_check_items_photos_checked();

-- The referenced side: deleting or renumbering a photo first takes SHARE on spot_check_items, which waits for every
-- transaction still inserting items and holds new ones off until it commits, so the check sees every item that can
-- refer to the photo.
CREATE FUNCTION quarry_spot_check_items_photo_changing() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  LOCK TABLE spot_check_items IN SHARE MODE;
  IF EXISTS (SELECT 1 FROM spot_check_items WHERE photo_id = OLD.id) THEN
    RAISE EXCEPTION 'photo % is in a spot-check: it cannot be %', OLD.id,
      CASE TG_OP WHEN 'DELETE' THEN 'deleted' ELSE 'renumbered' END
      USING ERRCODE = 'foreign_key_violation';
  END IF;
  RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END;
$$;
CREATE TRIGGER photos_spot_check_items_referenced BEFORE DELETE ON "photos"
  FOR EACH ROW EXECUTE FUNCTION quarry_spot_check_items_photo_changing();
CREATE TRIGGER photos_spot_check_items_renumbered BEFORE UPDATE OF id ON "photos"
  FOR EACH ROW WHEN (OLD.id IS DISTINCT FROM NEW.id) EXECUTE FUNCTION quarry_spot_check_items_photo_changing();

-- TRUNCATE photos needed CASCADE for the foreign key, which emptied spot_check_items too: it still does.
CREATE FUNCTION quarry_spot_check_items_photos_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  -- Already empty when the same TRUNCATE listed spot_check_items (truncating it twice in one command is refused).
  IF EXISTS (SELECT 1 FROM spot_check_items) THEN
    TRUNCATE spot_check_items;
  END IF;
  RETURN NULL;
END;
$$;
CREATE TRIGGER photos_spot_check_items_truncated AFTER TRUNCATE ON "photos"
  FOR EACH STATEMENT EXECUTE FUNCTION quarry_spot_check_items_photos_truncated();
