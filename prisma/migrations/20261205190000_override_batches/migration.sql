-- Bulk overrides over a filter: one audited batch (who, when, why, the filter, how many) per "apply to all N matching",
-- each override row carrying its batch id, and undo as a batch (a new batch putting back each photo's earlier verdict,
-- appended like every override).

CREATE TABLE "override_batches" (
    "id" TEXT NOT NULL,
    "user_id" TEXT NOT NULL,
    "check" TEXT NOT NULL,
    "filter" JSONB NOT NULL,
    "new_verdict" "Verdict",
    "reason" TEXT,
    "count" INTEGER NOT NULL,
    "undoes_id" TEXT,
    "request_id" TEXT,
    "created_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "override_batches_pkey" PRIMARY KEY ("id")
);

CREATE UNIQUE INDEX "override_batches_request_id_key" ON "override_batches"("request_id");
CREATE UNIQUE INDEX "override_batches_undoes_id_key" ON "override_batches"("undoes_id");
CREATE INDEX "override_batches_created_at_idx" ON "override_batches"("created_at");
ALTER TABLE "override_batches" ADD CONSTRAINT "override_batches_user_id_fkey" FOREIGN KEY ("user_id") REFERENCES "users"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
ALTER TABLE "override_batches" ADD CONSTRAINT "override_batches_undoes_id_fkey" FOREIGN KEY ("undoes_id") REFERENCES "override_batches"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

ALTER TABLE "overrides" ADD COLUMN "batch_id" TEXT;
CREATE INDEX "overrides_batch_id_idx" ON "overrides"("batch_id");
-- Deferred: the batch row is written after its overrides, once their count is known (batches are append-only too).
ALTER TABLE "overrides" ADD CONSTRAINT "overrides_batch_id_fkey" FOREIGN KEY ("batch_id") REFERENCES "override_batches"("id")
    ON DELETE RESTRICT ON UPDATE CASCADE DEFERRABLE INITIALLY DEFERRED;

CREATE TRIGGER override_batches_append_only BEFORE UPDATE OR DELETE ON "override_batches"
    FOR EACH ROW EXECUTE FUNCTION quarry_forbid_history_change();
