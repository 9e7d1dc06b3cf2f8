-- Known-answer (gold) accounts: an admin records the right answer; they are mixed into reviewers' queues at
-- REVIEW_GOLD_RATE, look like any pending account, and a reviewer's decision on one (round 4) only scores the reviewer:
-- it never changes the account's status, so never the dataset.
ALTER TABLE "accounts" ADD COLUMN "gold_answer" TEXT,
    ADD COLUMN "gold_reason" TEXT,
    ADD CONSTRAINT "accounts_gold_answer_check" CHECK ("gold_answer" IN ('approve', 'reject'));
