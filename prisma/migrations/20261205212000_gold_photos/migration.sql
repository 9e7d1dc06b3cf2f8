-- Known-answer (gold) photos for spot-checks: an admin records the right label; a spot-check's sample mixes them in at
-- REVIEW_GOLD_RATE, looking like any other item. Reviewers' labels on them score the reviewer and are left out of the
-- spot-check's estimates, so they never change a rate, an interval or the dataset.

-- The current known answers (one row per photo); every mark and unmark is also appended to gold_photo_events.
CREATE TABLE "gold_photos" (
    "photo_id" TEXT NOT NULL,
    "answer" TEXT NOT NULL,
    "reason" TEXT NOT NULL,
    "marked_by_id" TEXT NOT NULL,
    "marked_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "gold_photos_pkey" PRIMARY KEY ("photo_id"),
    CONSTRAINT "gold_photos_answer_check" CHECK ("answer" IN ('fine', 'minor_edits', 'copyright', 'non_wholesome', 'non_photo'))
);
ALTER TABLE "gold_photos" ADD CONSTRAINT "gold_photos_photo_id_fkey" FOREIGN KEY ("photo_id") REFERENCES "photos"("id") ON DELETE CASCADE ON UPDATE CASCADE;
ALTER TABLE "gold_photos" ADD CONSTRAINT "gold_photos_marked_by_id_fkey" FOREIGN KEY ("marked_by_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Who marked or unmarked which photo, when and why (answer NULL: unmarked). Append-only, like the other review history
-- (and, like spot_check_labels, without a key to photos, which would have to delete history with a photo).
CREATE TABLE "gold_photo_events" (
    "id" BIGSERIAL NOT NULL,
    "photo_id" TEXT NOT NULL,
    "answer" TEXT,
    "reason" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "request_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "gold_photo_events_pkey" PRIMARY KEY ("id"),
    CONSTRAINT "gold_photo_events_answer_check" CHECK ("answer" IN ('fine', 'minor_edits', 'copyright', 'non_wholesome', 'non_photo'))
);
CREATE UNIQUE INDEX "gold_photo_events_request_id_key" ON "gold_photo_events"("request_id");
CREATE INDEX "gold_photo_events_photo_id_created_at_idx" ON "gold_photo_events"("photo_id", "created_at");
ALTER TABLE "gold_photo_events" ADD CONSTRAINT "gold_photo_events_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
CREATE TRIGGER gold_photo_events_append_only BEFORE UPDATE OR DELETE ON "gold_photo_events"
  FOR EACH ROW EXECUTE FUNCTION quarry_forbid_history_change();

-- The rate a sample was drawn with (so the draw can be repeated), and which items were mixed in as known answers.
ALTER TABLE "spot_checks" ADD COLUMN "gold_rate" DOUBLE PRECISION NOT NULL DEFAULT 0;
ALTER TABLE "spot_check_items" ADD COLUMN "gold" BOOLEAN NOT NULL DEFAULT false;
