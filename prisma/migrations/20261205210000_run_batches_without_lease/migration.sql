-- pg-boss 12 owns a batch's heartbeat (its job's heartbeat_on); run_batches keeps only what the Runs page shows.
ALTER TABLE "run_batches" DROP COLUMN IF EXISTS "heartbeat_at";
