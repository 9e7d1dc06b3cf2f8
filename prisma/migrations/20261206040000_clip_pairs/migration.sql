-- CLIP near-duplicate pairs kept between runs (pipeline/clip/pairPass.ts), so a duplicates pass searches the ANN index
-- only for photos embedded since the last one instead of every photo (1M ≈ 15 min, 10M hours).

-- One row per model: the exact cosine down to which its pairs are stored, and the ANN index build they were searched
-- in. A lower threshold, another index build (new parameters, quantization, database) or no row means starting over.
CREATE TABLE "clip_pair_passes" (
    "model" TEXT NOT NULL,
    "floor" DOUBLE PRECISION NOT NULL,
    "index_built_at" TEXT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "clip_pair_passes_pkey" PRIMARY KEY ("model")
);

-- Verified pairs (photo_a < photo_b as JavaScript compares them), with the exact cosine of the stored vectors. They
-- hang off the embeddings: a deleted photo (its embedding cascades) takes its pairs along.
CREATE TABLE "clip_pairs" (
    "photo_a" TEXT NOT NULL,
    "photo_b" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "similarity" DOUBLE PRECISION NOT NULL,
    CONSTRAINT "clip_pairs_pkey" PRIMARY KEY ("photo_a", "photo_b")
);
CREATE INDEX "clip_pairs_photo_b_idx" ON "clip_pairs"("photo_b");
CREATE INDEX "clip_pairs_model_idx" ON "clip_pairs"("model");
ALTER TABLE "clip_pairs" ADD CONSTRAINT "clip_pairs_photo_a_fkey" FOREIGN KEY ("photo_a")
  REFERENCES "photo_embeddings"("photo_id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "clip_pairs" ADD CONSTRAINT "clip_pairs_photo_b_fkey" FOREIGN KEY ("photo_b")
  REFERENCES "photo_embeddings"("photo_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- Photos whose neighbours were searched (and their pairs written, in the same transaction) under `model`. `closed`:
-- the groups their pairs joined have had every inner pair scored (the pass's last step); a pass killed before that
-- redoes only that step. The partial index finds the few open ones without reading millions of closed rows.
CREATE TABLE "clip_pair_searched" (
    "photo_id" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "closed" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "clip_pair_searched_pkey" PRIMARY KEY ("photo_id")
);
CREATE INDEX "clip_pair_searched_open_idx" ON "clip_pair_searched"("photo_id") WHERE NOT "closed";
CREATE INDEX "clip_pair_searched_model_idx" ON "clip_pair_searched"("model");
ALTER TABLE "clip_pair_searched" ADD CONSTRAINT "clip_pair_searched_photo_id_fkey" FOREIGN KEY ("photo_id")
  REFERENCES "photo_embeddings"("photo_id") ON DELETE CASCADE ON UPDATE CASCADE;

-- The pass finds the photos it has not searched by walking one model's embedded ids: an index-only scan of this
-- index instead of reading every 1 KB embedding row (10 GB at 10M). syncAnnIndex's id listing uses it too.
CREATE INDEX "photo_embeddings_model_photo_id_idx" ON "photo_embeddings"("model", "photo_id");

-- A photo re-embedded (another vector, or another model) loses its pairs and its searched mark: the next pass searches
-- it again. Only when the vector or model really changes (the clip stage rewrites unchanged embeddings on re-scoring).
CREATE FUNCTION quarry_clip_pairs_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM clip_pairs WHERE photo_a = OLD.photo_id OR photo_b = OLD.photo_id;
  DELETE FROM clip_pair_searched WHERE photo_id = OLD.photo_id;
  RETURN NULL;
END $$;
CREATE TRIGGER photo_embeddings_forget_clip_pairs AFTER UPDATE OF vector, model ON "photo_embeddings"
  FOR EACH ROW WHEN (OLD.vector IS DISTINCT FROM NEW.vector OR OLD.model IS DISTINCT FROM NEW.model)
  EXECUTE FUNCTION quarry_clip_pairs_forget();
