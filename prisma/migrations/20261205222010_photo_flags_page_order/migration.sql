-- The check pages' "open" filter and account filter read the results nobody overrode from photo_flags, in page order:
-- there a result's verdict is still the check's own, so the flags of a check (or of an account and check) with
-- overridden = false are exactly the page's open results, and these indexes hand them out highest score first (DESC
-- puts NULLs first, as the page does). Walking the check's whole index instead tested results until 200 matched: tens
-- of thousands when the top scores were all overridden, the whole check (~1M) for a small account.
-- The account one starts with owner_nsid, so it also serves every lookup of photo_flags_owner_nsid_idx, dropped.
CREATE INDEX "photo_flags_check_overridden_verdict_score_photo_id_idx"
  ON "photo_flags"("check", "overridden", "verdict", "score" DESC, "photo_id");
CREATE INDEX "photo_flags_owner_nsid_check_overridden_verdict_score_photo_id_idx"
  ON "photo_flags"("owner_nsid", "check", "overridden", "verdict", "score" DESC, "photo_id");
DROP INDEX "photo_flags_owner_nsid_idx";
