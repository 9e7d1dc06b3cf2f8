-- Photos the pair pass searched that no index search reached, not even their own (pipeline/clip/README.md): HNSW leaves
-- ~1-2 % of nodes without a way in. Two such near-copies find each other from neither side, so every stray's pairs
-- with every other stray are scored exactly, across passes: `scored` once this photo was scored against the strays
-- stored then (a pass killed before that step leaves it false, and the next pass does it). The mark goes with the
-- searched mark (a re-embedded photo is searched again, a reset pass starts over).
CREATE TABLE "clip_pair_strays" (
    "photo_id" TEXT NOT NULL,
    "model" TEXT NOT NULL,
    "scored" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "clip_pair_strays_pkey" PRIMARY KEY ("photo_id")
);
CREATE INDEX "clip_pair_strays_model_idx" ON "clip_pair_strays"("model");
ALTER TABLE "clip_pair_strays" ADD CONSTRAINT "clip_pair_strays_photo_id_fkey" FOREIGN KEY ("photo_id")
  REFERENCES "clip_pair_searched"("photo_id") ON DELETE CASCADE ON UPDATE CASCADE;
