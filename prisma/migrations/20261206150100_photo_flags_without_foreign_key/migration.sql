-- photo_flags loses its per-row foreign key to photos. An undo of a 100k bulk override writes 100k flags back in one
-- statement, and the key checked each one on its own: an SPI query and a row lock on its photo (a WAL record per row),
-- as the overrides' keys did before 20261205221000. Nothing is lost:
-- - a flag is written only by the triggers deriving it (quarry_keep_derived drops any other write), always for a check
--   result of the same key, whose photo they join in the same statement while the result is locked;
-- - the keys' cascades happen through check_results, whose own foreign key cascades a photo's delete and renumbering
--   to its results, and whose triggers (quarry_check_results_changed) then delete the flags of the results gone and
--   write those of the renumbered ones.
-- schema.prisma models photo_flags.photo_id as a plain column accordingly.
ALTER TABLE "photo_flags" DROP CONSTRAINT "photo_flags_photo_id_fkey";
