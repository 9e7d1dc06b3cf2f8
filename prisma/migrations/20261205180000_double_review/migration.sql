-- Blind double review and send-back.
-- A reproducible share of the top accounts (REVIEW_DOUBLE_SHARE, drawn from a hash of the nsid) is decided twice: the
-- first decision (round 1) leaves the account pending and waiting for a second reviewer (qc_stage 'second'), who is
-- never the first one and does not see that decision; the second (round 2) either agrees, and sets the account's
-- status as usual, or disagrees and sends it to adjudication (qc_stage 'adjudication'), where an admin's decision
-- (round 3) sets the status. accounts.review_status stays the one place the effective decision lives, so the inclusion
-- rule reads it unchanged. Every decision stays in account_decisions (append-only).
-- 'reopen' (send back) returns a decided account to the queue with a reason.

CREATE TYPE "QcStage" AS ENUM ('none', 'second', 'adjudication');

ALTER TYPE "DecisionKind" ADD VALUE 'reopen';

ALTER TABLE "accounts" ADD COLUMN "qc_stage" "QcStage" NOT NULL DEFAULT 'none',
    ADD COLUMN "first_reviewer_id" TEXT;

ALTER TABLE "account_decisions" ADD COLUMN "round" INTEGER NOT NULL DEFAULT 1;

CREATE INDEX "accounts_qc_stage_idx" ON "accounts"("qc_stage");
CREATE INDEX "account_decisions_round_account_nsid_idx" ON "account_decisions"("round", "account_nsid");
