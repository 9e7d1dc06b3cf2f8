-- Spot-check sampling reads the inclusion rule's inputs for a range of the sampling order instead of for a list of
-- candidate ids: the photo's own inputs from the sampling index (INCLUDE: its account, license, availability and
-- duplicate pointer), its failed checks from photo_flags by the same hash order. A sample's ~1,500 candidates are then a
-- few consecutive index pages of each, not ~6 random reads each (photo row, its flags, one after another): at 10M photos
-- read cold those took 1.1-1.3 s of a 1,000-photo spot-check (lib/queries/spotChecks.ts drawSample). The key and its
-- order are unchanged, so every seed draws the sample it drew.
SET LOCAL maintenance_work_mem = '256MB';
DROP INDEX "photos_sample_order_idx";
CREATE INDEX "photos_sample_order_idx" ON "photos" ((hashtextextended(id, 0)), id)
  INCLUDE (owner_nsid, license, availability, duplicate_of_id);
-- Only failed checks exclude a photo: the uncertain rows stay out of this index.
CREATE INDEX "photo_flags_sample_order_fail_idx" ON "photo_flags" ((hashtextextended(photo_id, 0)))
  INCLUDE (photo_id, "check") WHERE verdict = 'fail';
-- The planner's estimate of a range of the order comes from the expression's statistics, which went with the old
-- index: without them it takes a sample's few hundred candidates for 50,000 and scans every account and override.
ANALYZE photos, photo_flags;
