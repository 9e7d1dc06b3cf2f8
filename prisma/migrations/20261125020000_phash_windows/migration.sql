ALTER TABLE "photos" ADD COLUMN "phash_windows" BIGINT[];
