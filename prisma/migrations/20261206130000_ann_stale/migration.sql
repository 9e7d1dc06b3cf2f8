-- Embeddings whose vector the ANN index file may still hold although it is no longer theirs: re-embedded (vector or
-- model changed) or deleted (with their photo). syncAnnIndex (pipeline/clip/annIndex.ts) removes those photos' entries
-- from the index, its walk adds each current vector back, and it deletes the rows it applied once that index is saved.
-- Statement triggers with transition tables: the CLIP stage writes a page of embeddings per statement, and an
-- INSERT … ON CONFLICT DO UPDATE passes its updated rows to the UPDATE trigger. New embeddings need no row (the
-- index's walk finds every photo it lacks).
CREATE SCHEMA IF NOT EXISTS quarry_internal;

CREATE TABLE quarry_internal.ann_stale (
    id BIGSERIAL PRIMARY KEY,
    photo_id TEXT NOT NULL,
    model TEXT NOT NULL
);

CREATE FUNCTION quarry_ann_stale_updated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO quarry_internal.ann_stale (photo_id, model)
  SELECT o.photo_id, o.model FROM old_rows o JOIN new_rows n ON n.photo_id = o.photo_id
  WHERE o.vector IS DISTINCT FROM n.vector OR o.model IS DISTINCT FROM n.model;
  RETURN NULL;
END $$;

CREATE TRIGGER photo_embeddings_ann_stale_updated AFTER UPDATE ON "photo_embeddings"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quarry_ann_stale_updated();

CREATE FUNCTION quarry_ann_stale_deleted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO quarry_internal.ann_stale (photo_id, model) SELECT photo_id, model FROM old_rows;
  RETURN NULL;
END $$;

CREATE TRIGGER photo_embeddings_ann_stale_deleted AFTER DELETE ON "photo_embeddings"
  REFERENCING OLD TABLE AS old_rows
  FOR EACH STATEMENT EXECUTE FUNCTION quarry_ann_stale_deleted();
