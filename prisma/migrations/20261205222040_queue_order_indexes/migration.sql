-- The account queue's pages in index order, per review status (lib/queries/review.ts listReviewQueue): each order's
-- full sort key (score, then rank, then nsid) so a page reads its rows in order and stops, instead of sorting every
-- account of the queue (100k) for each page. They replace the two-column indexes they extend.
DROP INDEX "accounts_review_status_flag_score_idx";
DROP INDEX "accounts_review_status_watermark_score_idx";
DROP INDEX "accounts_review_status_rank_idx";
CREATE INDEX "accounts_review_status_flag_score_rank_nsid_idx" ON "accounts"("review_status", "flag_score" DESC, "rank", "nsid");
CREATE INDEX "accounts_review_status_watermark_score_rank_nsid_idx" ON "accounts"("review_status", "watermark_score" DESC, "rank", "nsid");
CREATE INDEX "accounts_review_status_rank_nsid_idx" ON "accounts"("review_status", "rank", "nsid");
