-- account_check_counts gains a row per (account, licence, check, verdict, overridden) group a write statement moved:
-- a bulk override of 100k photos and its undo ~53k each, a pipeline batch a few hundred. Readers fold an account's rows
-- when they read them (lib/queries/checkCounts.ts), but most accounts are never read between writes, so the table only
-- grew. `base` tells the folded rows (one per group, written by a fold) from the deltas the triggers append (the
-- default); foldAccountCheckCounts folds every (account, check) holding a delta, found through the partial index.
-- Rows already here count as folded: a reader folds them as before.
ALTER TABLE quarry_internal.account_check_counts ADD COLUMN base BOOLEAN NOT NULL DEFAULT true;
ALTER TABLE quarry_internal.account_check_counts ALTER COLUMN base SET DEFAULT false;
CREATE INDEX account_check_counts_deltas_idx ON quarry_internal.account_check_counts (account_nsid, "check") WHERE NOT base;
