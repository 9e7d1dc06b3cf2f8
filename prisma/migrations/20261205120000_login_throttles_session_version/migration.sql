-- Login limiting that holds under concurrency, and sessions that can be revoked (issue 15, items 1 and 7).

-- One row per limited key (account+IP, IP, account): attempts admitted in the current fixed window. The old
-- login_attempts log was read before an attempt was recorded, so concurrent attempts all passed the check.
DROP TABLE "login_attempts";

CREATE TABLE "login_throttles" (
    "key" TEXT NOT NULL,
    "attempts" INTEGER NOT NULL DEFAULT 0,
    "window_start" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "login_throttles_pkey" PRIMARY KEY ("key")
);

-- Admits one login attempt when every key is under its limit, and counts it against all of them; else admits
-- nothing and counts nothing. Returns the 1-based index of the first key at its limit, 0 when admitted.
-- One statement for the caller: the rows are locked in key order (so concurrent callers queue, never deadlock),
-- so of N simultaneous attempts at most `limit` are admitted, however many arrive at once.
CREATE FUNCTION "login_admit"(p_keys TEXT[], p_limits INTEGER[], p_window_seconds INTEGER[]) RETURNS INTEGER
LANGUAGE plpgsql AS $$
DECLARE
  i INTEGER;
  r RECORD;
  win INTERVAL;
BEGIN
  INSERT INTO "login_throttles" ("key", "attempts", "window_start")
    SELECT k, 0, clock_timestamp() FROM unnest(p_keys) AS k ORDER BY k
    ON CONFLICT ("key") DO NOTHING;
  PERFORM 1 FROM "login_throttles" WHERE "key" = ANY(p_keys) ORDER BY "key" FOR UPDATE;
  FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
    win := make_interval(secs => p_window_seconds[i]);
    SELECT "attempts", "window_start" INTO r FROM "login_throttles" WHERE "key" = p_keys[i];
    IF r."window_start" > clock_timestamp() - win AND r."attempts" >= p_limits[i] THEN
      RETURN i;
    END IF;
  END LOOP;
  FOR i IN 1 .. coalesce(array_length(p_keys, 1), 0) LOOP
    win := make_interval(secs => p_window_seconds[i]);
    UPDATE "login_throttles" SET
      "attempts" = CASE WHEN "window_start" <= clock_timestamp() - win THEN 1 ELSE "attempts" + 1 END,
      "window_start" = CASE WHEN "window_start" <= clock_timestamp() - win THEN clock_timestamp() ELSE "window_start" END
    WHERE "key" = p_keys[i];
  END LOOP;
  RETURN 0;
END
$$;

-- Signed session cookies carry the version they were issued at; a password change, sign-out or disabling bumps
-- it, and the per-request check then refuses every older cookie.
ALTER TABLE "users" ADD COLUMN "session_version" INTEGER NOT NULL DEFAULT 0;
