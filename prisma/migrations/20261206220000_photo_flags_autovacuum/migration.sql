-- The check pages pick their rows by index-only scans of photo_flags' page indexes, which stay index-only only on
-- pages the visibility map marks all-visible. A bulk override and its undo rewrite ~100k flags, far below autovacuum's
-- default threshold (20 % of the table: 600k flags at 10M photos), so the pages they touched stayed unmarked and every
-- pick went to the heap for each row: at 10M, border's page 10 of 1,000 read 8,428 heap pages (120 ms cold against
-- 8 ms), and page 50 of 200 took 110-235 ms against 24-93 ms after a VACUUM (test/bench/scale/README.md,
-- 2026-12-06 13:28). At 1 % a vacuum follows any bulk action of ~30k flags; one pass over 3M flags took 3.4 s.
ALTER TABLE "photo_flags" SET (autovacuum_vacuum_scale_factor = 0.01, autovacuum_vacuum_insert_scale_factor = 0.01);
