-- standing_overrides (20261206100000) looked for an answering undo row by joining the key's overrides to their batches.
-- The planner may start that join from the undo batch instead (override_batches.undoes_id) and read every row of the
-- undo batch through overrides' batch_id index, testing each for the key: for an undo of 100k photos, 100k rows read
-- per key, 10^10 in all (the review bench's undo ran over 14 minutes, after an ANALYZE that saw one batch). The key's
-- own overrides are now read first, fenced (OFFSET 0 keeps the subquery from being flattened), so the only path is the
-- key's index entries (a handful), then each one's batch by id.
CREATE OR REPLACE VIEW "standing_overrides" AS
SELECT o.id, o.photo_id, o."check", o.new_verdict, o.user_id, o.created_at, o.batch_id
FROM overrides o
LEFT JOIN override_batches b ON b.id = o.batch_id
WHERE o.photo_id IS NOT NULL AND b.undoes_id IS NULL
  AND (o.batch_id IS NULL OR NOT EXISTS (
    SELECT 1 FROM (SELECT u.batch_id FROM overrides u WHERE u.photo_id = o.photo_id AND u."check" = o."check"
      AND u.batch_id IS NOT NULL OFFSET 0) u
    JOIN override_batches ub ON ub.id = u.batch_id
    WHERE ub.undoes_id = o.batch_id));
