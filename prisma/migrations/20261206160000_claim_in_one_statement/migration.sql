-- A claim in one round trip (issue 20's claim p95 < 50 ms). The claim ran as a Prisma interactive transaction: BEGIN,
-- the reviewer's advisory lock, the claim, COMMIT, each a round trip with the app's own work in between (~8 ms for an
-- empty one, more under load), and its pick sat in a COALESCE holding random() (volatile), so the UPDATE could not use
-- the primary key and scanned every account (6 ms at 10k accounts, ~30 ms at 50k).
--
-- The function takes the reviewer's lock (the key lockReviewerLeases in lib/queries/review.ts takes, so claims, lease
-- takings and undos of one reviewer still run one at a time), then runs the claim as its next statement: in a
-- plpgsql function under READ COMMITTED each statement takes a fresh snapshot, so it sees the leases a concurrent
-- claim of the same reviewer committed while this one waited for the lock. The lock is held to the end of the
-- caller's (implicit, one-statement) transaction.
--
-- Its commit does not wait for the WAL flush (synchronous_commit off for this transaction only: 4–14 ms of a claim's
-- time on this machine's disk under load). A lease is soft state that ends by itself; a crash can lose at most the last
-- fraction of a second of claims, which is the same as those leases ending early (the page's renewal takes the account
-- again or shows its new holder). Nothing durable can rest on a lost claim: a synchronous commit (a decision) flushes
-- all WAL written before it. Concurrency is unchanged: locks and visibility do not depend on the flush.
--
-- Parameters: the reviewer, the queue order ('rank', 'flag', 'watermark'), the queue's size (top N by rank), the lease
-- length in seconds, the chance of serving a known-answer account, the accounts to leave out (exclude[1]: the one on
-- screen), and the review page's token (NULL: none). Returns the account leased, or no row.
CREATE FUNCTION quarry_internal.claim_next_account(
  p_user TEXT, p_order TEXT, p_top_n INTEGER, p_lease_seconds DOUBLE PRECISION, p_gold_rate DOUBLE PRECISION,
  p_exclude TEXT[], p_token TEXT
) RETURNS TABLE (claimed_nsid TEXT, expires_at TIMESTAMPTZ)
LANGUAGE plpgsql AS $fn$
DECLARE
  -- The orders of the queue's indexes (20261205222040_queue_order_indexes); the text is one of these three, never input.
  pending_order TEXT := CASE p_order
    WHEN 'rank' THEN 'rank ASC'
    WHEN 'flag' THEN 'flag_score DESC, rank ASC'
    WHEN 'watermark' THEN 'watermark_score DESC NULLS LAST, rank ASC' END;
BEGIN
  IF pending_order IS NULL THEN
    RAISE EXCEPTION 'unknown queue order: %', p_order;
  END IF;
  PERFORM set_config('synchronous_commit', 'off', true);
  PERFORM pg_advisory_xact_lock(hashtext('quarry.review.leases'), hashtext(p_user));
  -- $1 reviewer, $2 top N, $3 lease seconds, $4 known-answer rate, $5 exclude, $6 page token.
  RETURN QUERY EXECUTE format($q$
    -- The page's token is still open (see the review_page_tokens migration): the upsert locks its row until this
    -- commits, so a leave beacon closing it either lands first (nothing is taken) or waits and releases what was taken.
    WITH tok AS (
      INSERT INTO quarry_internal.review_page_tokens (token, user_id) SELECT $6, $1 WHERE $6 IS NOT NULL
      ON CONFLICT (token) DO UPDATE SET user_id = EXCLUDED.user_id
        WHERE review_page_tokens.closed_at IS NULL AND review_page_tokens.user_id = EXCLUDED.user_id
      RETURNING token),
    gate AS (SELECT ($6 IS NULL OR EXISTS (SELECT 1 FROM tok)) AS open),
    -- Picked apart from the UPDATE, so that the UPDATE finds its row by primary key (random() below is volatile).
    pick AS MATERIALIZED (
      SELECT COALESCE(
        -- The reviewer's own live lease, locked and so re-read once a concurrent change to it commits: the update
        -- re-checks nothing, and would otherwise take back an account this reviewer's page released meanwhile and
        -- another reviewer's claim took.
        (SELECT nsid FROM accounts WHERE lease_user_id = $1 AND lease_expires_at > now() AND nsid <> ALL($5)
           AND ((review_status = 'pending' AND rank <= $2 AND gold_answer IS NULL
                 AND (qc_stage = 'none' OR (qc_stage = 'second' AND first_reviewer_id <> $1)))
             OR (gold_answer IS NOT NULL AND NOT EXISTS (
               SELECT 1 FROM account_decisions g WHERE g.account_nsid = accounts.nsid AND g.user_id = $1 AND g.round = 4
                 AND NOT EXISTS (SELECT 1 FROM account_decisions u WHERE u.undoes_id = g.id))))
         ORDER BY rank NULLS LAST LIMIT 1 FOR UPDATE),
        -- A known-answer account the reviewer has not answered (an undone answer may be given again), at random, so
        -- a reviewer cannot tell them from their place in the queue.
        CASE WHEN random() < $4 THEN
          (SELECT nsid FROM accounts WHERE gold_answer IS NOT NULL
             AND NOT EXISTS (
               SELECT 1 FROM account_decisions g WHERE g.account_nsid = accounts.nsid AND g.user_id = $1 AND g.round = 4
                 AND NOT EXISTS (SELECT 1 FROM account_decisions u WHERE u.undoes_id = g.id))
             AND (lease_user_id IS NULL OR lease_expires_at < now()) AND nsid <> ALL($5)
           ORDER BY md5(nsid || $1) LIMIT 1 FOR UPDATE SKIP LOCKED) END,
        -- The first pending account nobody holds that this reviewer may review: not waiting for an admin, not the
        -- blind second review of their own first review. SKIP LOCKED: concurrent claims never pick the same row.
        (SELECT nsid FROM accounts WHERE review_status = 'pending' AND rank <= $2 AND gold_answer IS NULL
           AND (qc_stage = 'none' OR (qc_stage = 'second' AND first_reviewer_id <> $1))
           AND (lease_user_id IS NULL OR lease_expires_at < now()) AND nsid <> ALL($5)
         ORDER BY %s LIMIT 1 FOR UPDATE SKIP LOCKED)) AS nsid
      WHERE (SELECT open FROM gate)),
    claimed AS (
      UPDATE accounts a SET lease_user_id = $1, lease_expires_at = now() + make_interval(secs => $3),
        lease_token = $6, updated_at = now()
      WHERE a.nsid = (SELECT nsid FROM pick)
      RETURNING a.nsid, a.lease_expires_at),
    -- At most one other lease stays: the account on screen if the reviewer holds it, else their newest.
    kept AS (
      SELECT nsid FROM accounts WHERE lease_user_id = $1 AND lease_expires_at > now() AND nsid NOT IN (SELECT nsid FROM claimed)
      ORDER BY (nsid = $5[1]) DESC NULLS LAST, lease_expires_at DESC LIMIT 1),
    released AS (
      UPDATE accounts a SET lease_user_id = NULL, lease_expires_at = NULL, lease_token = NULL
      WHERE a.lease_user_id = $1 AND EXISTS (SELECT 1 FROM claimed)
        AND a.nsid NOT IN (SELECT nsid FROM claimed) AND a.nsid NOT IN (SELECT nsid FROM kept)
      RETURNING a.nsid)
    SELECT nsid, lease_expires_at FROM claimed
  $q$, pending_order) USING p_user, p_top_n, p_lease_seconds, p_gold_rate, p_exclude, p_token;
END
$fn$;
