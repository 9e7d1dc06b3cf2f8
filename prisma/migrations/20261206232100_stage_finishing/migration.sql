-- A stage's finishing step (the clip and analyze stages' duplicate pass: the ANN index build it waits for, then the
-- near-duplicate search) notes its progress as figures, not only as a line of text in last_error: the Runs page and
-- `quarry run` showed the stage as "active 2,011/2,011 · ETA 0s" for the minutes the step ran, its batches all done.
-- With the figures they show the step's own phase, counts, rate and ETA. Nullable, no default: instant at any size.
ALTER TABLE run_stages ADD COLUMN finishing JSONB;
