-- The near-duplicate pass's first pass by cells (pipeline/clip/pairPass.ts): the centroids it compares photos in, the
-- cells finished (a killed pass resumes at the next one) and the embeddings it covers (computed at or before the cutoff;
-- later ones are left to the index searches that follow). NULL cutoff: no cell pass under way.
ALTER TABLE clip_pair_passes
  ADD COLUMN cells bytea,
  ADD COLUMN cells_done integer NOT NULL DEFAULT 0,
  ADD COLUMN cells_cutoff timestamptz(3);
