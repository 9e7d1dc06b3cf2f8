-- Review page tokens: each open review page sends its own random token with every claim and lease renewal, and with the
-- leave beacon. Leaving closes the token and ends every lease taken under it; a claim or renewal still in flight when
-- the page left finds its token closed and takes nothing. Without this, a reservation landing just after the beacon
-- stayed leased to a reviewer who had gone, and their next claim preferred it over the account they were on.
-- The token rows are bookkeeping (one per page view, pruned after a day), so they live outside the public schema.

ALTER TABLE "accounts" ADD COLUMN "lease_token" TEXT;

CREATE SCHEMA IF NOT EXISTS quarry_internal;

CREATE TABLE quarry_internal.review_page_tokens (
    token TEXT PRIMARY KEY,
    user_id TEXT NOT NULL,
    created_at TIMESTAMPTZ(3) NOT NULL DEFAULT now(),
    closed_at TIMESTAMPTZ(3)
);

CREATE INDEX review_page_tokens_created_at_idx ON quarry_internal.review_page_tokens (created_at);
