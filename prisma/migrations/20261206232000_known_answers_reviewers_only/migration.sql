-- Known-answer (gold) accounts are answered by reviewers only, and once each.
--
-- Admins mark the known answers and see them (the account page, the Review quality page), so an admin's answer scored
-- nothing but counted as one: review_block now says 'known_answer_admin' for an admin on a known-answer account, so no
-- claim serves it to them, no page lease is taken, and decideGold (lib/queries/gold.ts) asks the same function before
-- it records an answer, which also refuses a second standing answer from the same reviewer ('answered') that the API
-- used to accept. One rule still: the role check lives here, not in TypeScript.
--
-- review_block stays a plain SQL expression (inlined into its callers); the role lookup is in the known-answer branch
-- only, a primary-key probe for the few such accounts.
CREATE OR REPLACE FUNCTION quarry_internal.review_block(a public.accounts, p_user TEXT) RETURNS TEXT
LANGUAGE sql STABLE AS $fn$
  SELECT CASE
    WHEN a.gold_answer IS NOT NULL THEN
      CASE
        WHEN EXISTS (SELECT 1 FROM public.users u WHERE u.id = p_user AND u.role = 'admin') THEN 'known_answer_admin'
        WHEN quarry_internal.known_answer_given(a.nsid, p_user) THEN 'answered' END
    WHEN a.review_status <> 'pending' THEN 'decided'
    WHEN a.qc_stage = 'none' THEN NULL
    WHEN a.qc_stage = 'second' AND a.first_reviewer_id <> p_user THEN NULL
    WHEN a.qc_stage = 'second' THEN 'second_review'
    ELSE 'adjudication' END
$fn$;

-- The claim's known-answer branch (claim_next_account: gold_answer IS NOT NULL … ORDER BY md5(nsid || user) LIMIT 1)
-- and the Review quality page's count read every account without this: a sequential scan of accounts (100k rows at
-- the scale bench) on a claim that draws the known-answer branch, for the handful of accounts with an answer. The
-- partial index holds only those.
CREATE INDEX accounts_known_answer_idx ON public.accounts (nsid) WHERE gold_answer IS NOT NULL;
