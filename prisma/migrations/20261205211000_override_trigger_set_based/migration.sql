-- Bulk overrides: 100k rows in one INSERT took 7 s, and sometimes minutes. Three causes, three changes.
--
-- 1. The index on overrides (check, created_at) served no query, yet the planner took it to find a photo's newest
--    override whenever it believed overrides nearly empty (a fresh or just-analyzed table, or a plan cached while it was):
--    "check = x" as the index condition and photo_id as a filter, so every lookup walked every override of the check.
--    A bulk action adds 100k overrides of exactly that check while such a plan runs (a check page loading meanwhile)
--    or is cached (in a trigger), so each of 100k lookups read up to 100k rows: the multi-minute hang. It is dropped.
--    The photo's own index gains id, so "newest by (created_at, id)", as latest_overrides orders them, is one index
--    entry read backwards, with no sort: the cheapest path by construction, whatever the statistics say.
DROP INDEX "overrides_check_created_at_idx";
DROP INDEX "overrides_photo_id_check_created_at_idx";
CREATE INDEX "overrides_photo_id_check_created_at_id_idx" ON "overrides"("photo_id", "check", "created_at", "id");

-- 2. The photo_flags trigger for new overrides (20261205171700) read effective_verdicts for the statement's keys: for
--    100k keys that meant a sort-merge anti-join over all overrides, a probe of check_results and photos per key, and
--    it deleted every key's flag to insert most of them again. It now reads, per key of the statement, the newest
--    override straight from that index (the same rule as latest_overrides: newest by created_at, then id; every key
--    here has one, so the override's verdict is the effective one), and changes only flags that change: a key now
--    passing loses its flag; a flagged key is upserted, looking up its score and owner only then (a bulk pass looks
--    up nothing). Its statements are EXECUTEd so each is planned for its own statement's size: a plan cached by the
--    first, one-row override of a session no longer serves a 100k-row one, nor the reverse, and an ANALYZE in between
--    (autovacuum's) no longer flips it.
--
-- 3. Locking each key's check result (so a concurrent re-check or override of the same photo waits, and whichever
--    writes the flag last has seen the other's row) cost a write per row, 100k of them. A statement of 10,000 keys or
--    more locks the table instead, in EXCLUSIVE mode: it waits for, and blocks until commit, every writer of
--    check_results and every override trigger taking row locks, exactly the ones the row locks would have waited
--    for or blocked; plain reads (the check pages) go on.
CREATE OR REPLACE FUNCTION quarry_overrides_inserted() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF (SELECT count(*) FROM new_rows) >= 10000 THEN
    LOCK TABLE check_results IN EXCLUSIVE MODE;
  ELSE
    -- In key order, as every writer of these rows, so two overrides of overlapping photos queue instead of deadlocking.
    EXECUTE $q$
      SELECT 1 FROM (SELECT DISTINCT photo_id, "check" FROM new_rows WHERE photo_id IS NOT NULL ORDER BY 1, 2) k
      CROSS JOIN LATERAL (SELECT 1 FROM check_results cr WHERE cr.photo_id = k.photo_id AND cr."check" = k."check"
        FOR NO KEY UPDATE) l$q$;
  END IF;
  EXECUTE $q$
    WITH k AS (
      SELECT DISTINCT photo_id, "check" FROM new_rows WHERE photo_id IS NOT NULL),
    eff AS MATERIALIZED (
      SELECT k.photo_id, k."check", lo.new_verdict AS verdict FROM k
      CROSS JOIN LATERAL (SELECT o.new_verdict FROM overrides o WHERE o.photo_id = k.photo_id AND o."check" = k."check"
        ORDER BY o.created_at DESC, o.id DESC LIMIT 1) lo),
    cleared AS (
      DELETE FROM photo_flags f USING eff e
      WHERE f.photo_id = e.photo_id AND f."check" = e."check" AND e.verdict NOT IN ('fail', 'uncertain'))
    INSERT INTO photo_flags AS f (photo_id, "check", owner_nsid, verdict, score, overridden)
    SELECT e.photo_id, e."check", p.owner_nsid, e.verdict, cr.score, true
    FROM eff e JOIN check_results cr ON cr.photo_id = e.photo_id AND cr."check" = e."check" JOIN photos p ON p.id = e.photo_id
    WHERE e.verdict IN ('fail', 'uncertain')
    ORDER BY 1, 2
    ON CONFLICT (photo_id, "check") DO UPDATE SET owner_nsid = EXCLUDED.owner_nsid, verdict = EXCLUDED.verdict,
      score = EXCLUDED.score, overridden = EXCLUDED.overridden
    WHERE (f.owner_nsid, f.verdict, f.score, f.overridden)
      IS DISTINCT FROM (EXCLUDED.owner_nsid, EXCLUDED.verdict, EXCLUDED.score, EXCLUDED.overridden)$q$;
  RETURN NULL;
END;
$$;
