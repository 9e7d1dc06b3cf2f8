-- Who may review what, written once. The claim (claim_next_account, 20261206160000) spelt the queue's reviewable and
-- known-answer conditions out in SQL while the page lease and the lease after an undo held their own copy in
-- TypeScript, and the two had drifted: a page could lease a known-answer account its reviewer had already answered
-- (and so answer it twice), which no claim would hand them. Now one function says why a reviewer may not review an
-- account (review_block), and the claim, the page lease (take_lease) and the lease after an undo (lease_after_undo)
-- all ask it; the page's token gate and the reviewer's lease lock are one function each too.
--
-- Functions only: nothing is rewritten, so this is instant at any size. review_block is a plain SQL expression, which
-- the planner inlines into each caller's query (its column references become the caller's own), so the claim's index
-- scans run as before; known_answer_given runs only for known-answer accounts (a CASE branch), a few per database.

-- The reviewer's standing answer to a known-answer account (round 4; an undone answer may be given again).
CREATE FUNCTION quarry_internal.known_answer_given(p_nsid TEXT, p_user TEXT) RETURNS BOOLEAN
LANGUAGE sql STABLE AS $fn$
  SELECT EXISTS (
    SELECT 1 FROM account_decisions g WHERE g.account_nsid = p_nsid AND g.user_id = p_user AND g.round = 4
      AND NOT EXISTS (SELECT 1 FROM account_decisions u WHERE u.undoes_id = g.id))
$fn$;

-- Why `p_user` may not review the account now, or NULL when they may (leases aside):
--   'answered'      a known-answer account they have answered (one they have not answered is always theirs to answer:
--                   it looks pending to them whatever its real status);
--   'decided'       approved or rejected: nothing to review (a change of decision needs no lease);
--   'second_review' the blind second review of a double review they made the first review of;
--   'adjudication'  its two reviews disagree: an admin adjudicates it.
-- The review page shows the last three (lib/queries/review.ts acquireLease); queue size (rank) is the claim's own rule.
CREATE FUNCTION quarry_internal.review_block(a public.accounts, p_user TEXT) RETURNS TEXT
LANGUAGE sql STABLE AS $fn$
  SELECT CASE
    WHEN a.gold_answer IS NOT NULL THEN
      CASE WHEN quarry_internal.known_answer_given(a.nsid, p_user) THEN 'answered' END
    WHEN a.review_status <> 'pending' THEN 'decided'
    WHEN a.qc_stage = 'none' THEN NULL
    WHEN a.qc_stage = 'second' AND a.first_reviewer_id <> p_user THEN NULL
    WHEN a.qc_stage = 'second' THEN 'second_review'
    ELSE 'adjudication' END
$fn$;

-- Serialises one reviewer's claims, lease takings and undos (never different reviewers'): each counts and releases the
-- reviewer's other leases from its own snapshot, so two at once could each keep the lease the other just took. Held to
-- the end of the transaction; the caller's next statement takes a fresh snapshot that sees the other's leases.
CREATE FUNCTION quarry_internal.lock_reviewer_leases(p_user TEXT) RETURNS VOID
LANGUAGE sql AS $fn$
  SELECT pg_advisory_xact_lock(hashtext('quarry.review.leases'), hashtext(p_user))
$fn$;

-- Whether the review page's token (see the review_page_tokens migration) is still open; no token: always. The upsert
-- locks the token's row until the caller's transaction commits, so a leave beacon closing it either lands first (the
-- caller then takes nothing) or waits and then releases what the caller took.
CREATE FUNCTION quarry_internal.page_token_open(p_token TEXT, p_user TEXT) RETURNS BOOLEAN
LANGUAGE plpgsql AS $fn$
BEGIN
  IF p_token IS NULL THEN
    RETURN true;
  END IF;
  INSERT INTO quarry_internal.review_page_tokens (token, user_id) VALUES (p_token, p_user)
  ON CONFLICT (token) DO UPDATE SET user_id = EXCLUDED.user_id
    WHERE review_page_tokens.closed_at IS NULL AND review_page_tokens.user_id = EXCLUDED.user_id;
  RETURN FOUND;
END
$fn$;

-- The claim, as in 20261206160000 (read its comment), asking review_block instead of spelling the conditions out, and
-- the token gate as its own statement after the lock (the gate's row lock lasts to the commit all the same).
CREATE OR REPLACE FUNCTION quarry_internal.claim_next_account(
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
  PERFORM quarry_internal.lock_reviewer_leases(p_user);
  IF NOT quarry_internal.page_token_open(p_token, p_user) THEN
    RETURN;
  END IF;
  -- $1 reviewer, $2 top N, $3 lease seconds, $4 known-answer rate, $5 exclude, $6 page token.
  RETURN QUERY EXECUTE format($q$
    -- Picked apart from the UPDATE, so that the UPDATE finds its row by primary key (random() below is volatile).
    WITH pick AS MATERIALIZED (
      SELECT COALESCE(
        -- The reviewer's own live lease (a known-answer one, or one in the queue's top N), locked and so re-read once
        -- a concurrent change to it commits: the update re-checks nothing, and would otherwise take back an account
        -- this reviewer's page released meanwhile and another reviewer's claim took.
        (SELECT nsid FROM accounts WHERE lease_user_id = $1 AND lease_expires_at > now() AND nsid <> ALL($5)
           AND (gold_answer IS NOT NULL OR rank <= $2) AND quarry_internal.review_block(accounts, $1) IS NULL
         ORDER BY rank NULLS LAST LIMIT 1 FOR UPDATE),
        -- A known-answer account the reviewer may answer, at random, so a reviewer cannot tell them from their place
        -- in the queue.
        CASE WHEN random() < $4 THEN
          (SELECT nsid FROM accounts WHERE gold_answer IS NOT NULL AND quarry_internal.review_block(accounts, $1) IS NULL
             AND (lease_user_id IS NULL OR lease_expires_at < now()) AND nsid <> ALL($5)
           ORDER BY md5(nsid || $1) LIMIT 1 FOR UPDATE SKIP LOCKED) END,
        -- The first account of the queue (pending, no known answer, top N: the range of the order's index) nobody
        -- holds that this reviewer may review. SKIP LOCKED: concurrent claims never pick the same row.
        (SELECT nsid FROM accounts WHERE review_status = 'pending' AND rank <= $2 AND gold_answer IS NULL
           AND quarry_internal.review_block(accounts, $1) IS NULL
           AND (lease_user_id IS NULL OR lease_expires_at < now()) AND nsid <> ALL($5)
         ORDER BY %s LIMIT 1 FOR UPDATE SKIP LOCKED)) AS nsid),
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

-- The review page's lease: takes or renews `p_nsid` for the reviewer unless another reviewer holds a live lease or
-- review_block says no, and then ends the reviewer's other leases except `p_keep` (the reserved next account). One
-- round trip where it was an interactive transaction of four (lock, take, release, read). Commits without waiting for
-- the WAL flush, as a claim does (a lease is soft state; see 20261206160000). Returns one row, none if no such account:
-- held, the lease's end (when held, or another's live lease), the status the reviewer is shown (a known-answer account
-- looks pending), the live holder's name when not held, and review_block's reason.
CREATE FUNCTION quarry_internal.take_lease(
  p_nsid TEXT, p_user TEXT, p_lease_seconds DOUBLE PRECISION, p_keep TEXT[], p_token TEXT
) RETURNS TABLE (held BOOLEAN, expires_at TIMESTAMPTZ, status TEXT, holder TEXT, blocked TEXT)
LANGUAGE plpgsql AS $fn$
DECLARE
  v_expires TIMESTAMPTZ;
  v_status TEXT;
BEGIN
  PERFORM set_config('synchronous_commit', 'off', true);
  PERFORM quarry_internal.lock_reviewer_leases(p_user);
  -- A renewal from a page that has left (its token closed) takes nothing: it answers with the account's state.
  IF quarry_internal.page_token_open(p_token, p_user) THEN
    UPDATE accounts a SET lease_user_id = p_user, lease_expires_at = now() + make_interval(secs => p_lease_seconds),
      lease_token = p_token, updated_at = now()
    WHERE a.nsid = p_nsid AND (a.lease_user_id IS NULL OR a.lease_user_id = p_user OR a.lease_expires_at < now())
      AND quarry_internal.review_block(a, p_user) IS NULL
    RETURNING a.lease_expires_at, CASE WHEN a.gold_answer IS NOT NULL THEN 'pending' ELSE a.review_status::text END
      INTO v_expires, v_status;
    IF FOUND THEN
      UPDATE accounts SET lease_user_id = NULL, lease_expires_at = NULL
      WHERE lease_user_id = p_user AND nsid <> p_nsid AND nsid <> ALL(p_keep);
      RETURN QUERY SELECT true, v_expires, v_status, NULL::text, NULL::text;
      RETURN;
    END IF;
  END IF;
  RETURN QUERY
    SELECT false, CASE WHEN a.lease_expires_at > now() THEN a.lease_expires_at END,
      CASE WHEN a.gold_answer IS NOT NULL THEN 'pending' ELSE a.review_status::text END,
      CASE WHEN a.lease_expires_at > now() THEN u.name END, quarry_internal.review_block(a, p_user)
    FROM accounts a LEFT JOIN users u ON u.id = a.lease_user_id WHERE a.nsid = p_nsid;
END
$fn$;

-- After an undo, in its transaction: the account is leased to the undoing reviewer only if review_block lets them
-- review it (so they can decide it again); an account decided again (an earlier decision stands) or waiting for an
-- admin gets no lease, and loses one of theirs. Like a claim it keeps one other lease of theirs at most (the newest),
-- so an undo never hands out a third. True if leased.
CREATE FUNCTION quarry_internal.lease_after_undo(p_nsid TEXT, p_user TEXT, p_lease_seconds DOUBLE PRECISION)
RETURNS BOOLEAN
LANGUAGE plpgsql AS $fn$
BEGIN
  PERFORM quarry_internal.lock_reviewer_leases(p_user);
  UPDATE accounts a SET lease_user_id = p_user, lease_expires_at = now() + make_interval(secs => p_lease_seconds),
    lease_token = NULL, updated_at = now()
  WHERE a.nsid = p_nsid AND quarry_internal.review_block(a, p_user) IS NULL;
  IF NOT FOUND THEN
    UPDATE accounts SET lease_user_id = NULL, lease_expires_at = NULL, lease_token = NULL
    WHERE nsid = p_nsid AND lease_user_id = p_user;
    RETURN false;
  END IF;
  UPDATE accounts SET lease_user_id = NULL, lease_expires_at = NULL, lease_token = NULL
  WHERE lease_user_id = p_user AND nsid <> p_nsid AND nsid NOT IN (
    SELECT nsid FROM accounts WHERE lease_user_id = p_user AND lease_expires_at > now() AND nsid <> p_nsid
    ORDER BY lease_expires_at DESC LIMIT 1);
  RETURN true;
END
$fn$;
