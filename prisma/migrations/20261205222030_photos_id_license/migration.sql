-- The check pages' licence filter tests each candidate result's photo for its licence: through photos_pkey that is a
-- fetch of the photo's row (a random read of a 10M-row table, ~0.5 ms when not cached: 0.5–1.4 s a page at 10M photos).
-- With the licence in an index beside the id it is an index-only probe into a far smaller, mostly cached, index.
CREATE INDEX "photos_id_license_idx" ON "photos"("id", "license");
