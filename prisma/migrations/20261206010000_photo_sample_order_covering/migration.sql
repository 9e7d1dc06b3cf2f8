-- Spot-check sampling order with the photo's id beside its hash: a sample's candidates (1,500 for 1,000 included
-- photos) come from an index-only range scan instead of one random read of the photos table each, one after another
-- (~0.5 s of a spot-check's 0.7–1.1 s at 10M photos when those rows are not cached). The order is the same as
-- before (hash, then id), so every seed draws the sample it drew.
DROP INDEX "photos_sample_order_idx";
CREATE INDEX "photos_sample_order_idx" ON "photos" ((hashtextextended(id, 0)), id);
