-- The Runs page's batches per (run, stage, status) from maintained counts instead of counting every batch of the runs
-- shown on each load (200k batches in the scale bench: 0.2–0.5 s). Signed deltas, appended by a statement trigger (so
-- pipeline workers finishing batches never wait on each other) and folded by the reader (lib/queries/runs.ts), as
-- quarry_internal.check_counts. Bookkeeping batches ('__…' keys) are not counted, as the page never counted them.
CREATE SCHEMA IF NOT EXISTS quarry_internal;

CREATE TABLE quarry_internal.run_batch_counts (
    run_id TEXT NOT NULL,
    stage TEXT NOT NULL,
    status "BatchStatus" NOT NULL,
    n INTEGER NOT NULL
);
CREATE INDEX run_batch_counts_run_id_idx ON quarry_internal.run_batch_counts (run_id);

CREATE FUNCTION quarry_run_batch_counts_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF TG_OP = 'INSERT' THEN
    INSERT INTO quarry_internal.run_batch_counts (run_id, stage, status, n)
    SELECT run_id, stage, status, count(*) FROM new_rows WHERE key NOT LIKE '\_\_%' GROUP BY 1, 2, 3;
  ELSIF TG_OP = 'DELETE' THEN
    INSERT INTO quarry_internal.run_batch_counts (run_id, stage, status, n)
    SELECT run_id, stage, status, -count(*) FROM old_rows WHERE key NOT LIKE '\_\_%' GROUP BY 1, 2, 3;
  ELSE
    INSERT INTO quarry_internal.run_batch_counts (run_id, stage, status, n)
    SELECT run_id, stage, status, sum(n) FROM (
      SELECT run_id, stage, status, 1 AS n FROM new_rows WHERE key NOT LIKE '\_\_%'
      UNION ALL SELECT run_id, stage, status, -1 FROM old_rows WHERE key NOT LIKE '\_\_%') d
    GROUP BY 1, 2, 3 HAVING sum(n) <> 0;
  END IF;
  RETURN NULL;
END;
$$;

CREATE TRIGGER run_batches_counts_inserted AFTER INSERT ON "run_batches"
  REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_run_batch_counts_changed();
CREATE TRIGGER run_batches_counts_updated AFTER UPDATE ON "run_batches"
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_run_batch_counts_changed();
CREATE TRIGGER run_batches_counts_deleted AFTER DELETE ON "run_batches"
  REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION quarry_run_batch_counts_changed();

CREATE FUNCTION quarry_run_batch_counts_truncated() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  DELETE FROM quarry_internal.run_batch_counts;
  RETURN NULL;
END;
$$;

CREATE TRIGGER run_batches_counts_truncated AFTER TRUNCATE ON "run_batches"
  FOR EACH STATEMENT EXECUTE FUNCTION quarry_run_batch_counts_truncated();

INSERT INTO quarry_internal.run_batch_counts (run_id, stage, status, n)
SELECT run_id, stage, status, count(*) FROM run_batches WHERE key NOT LIKE '\_\_%' GROUP BY 1, 2, 3;

-- An active stage's rate reads the items of its batches finished in the last minute: one range of this index.
DROP INDEX "run_batches_run_id_stage_status_idx";
CREATE INDEX "run_batches_run_id_stage_status_finished_at_idx" ON "run_batches"("run_id", "stage", "status", "finished_at");
