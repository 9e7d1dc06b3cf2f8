-- The strays were photos no HNSW search reached (the graph left ~1-2 % of nodes without a way in). The index of cells
-- that replaced the graph compares every photo with the members of its nearest cells, so no photo is unreachable and
-- nothing is scored against the strays any more.
DROP TABLE "clip_pair_strays";
