-- Spot-check sampling order: photos by a 64-bit hash of their id, so a sample of 1,000 reads ~1,000 photos from where
-- the seed's hash falls instead of ordering every photo by md5 (lib/queries/spotChecks.ts drawSample).
CREATE INDEX "photos_sample_order_idx" ON "photos" ((hashtextextended(id, 0)));
