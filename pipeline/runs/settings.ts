// Timings of the job framework (RUN_* in lib/settings.ts, which defines, defaults and validates them); tests and
// benches pass their own.
import { loadSettings } from '../../lib/settings.ts';

export type RunSettings = {
  heartbeatSeconds: number;
  staleSeconds: number;
  maxAttempts: number;
  retryDelaySeconds: number;
  expireSeconds: number;
  pollSeconds: number;
};

export function runSettings(
  source: Record<string, string | undefined> = process.env,
  overrides: Partial<RunSettings> = {},
): RunSettings {
  // Read at each call (a test or launcher may set RUN_* late); only RUN_*, so another variable cannot fail it.
  const e = loadSettings(Object.fromEntries(Object.entries(source).filter(([k]) => k.startsWith('RUN_'))));
  return {
    heartbeatSeconds: e.RUN_HEARTBEAT_SECONDS,
    staleSeconds: e.RUN_STALE_SECONDS,
    maxAttempts: e.RUN_MAX_ATTEMPTS,
    retryDelaySeconds: e.RUN_RETRY_DELAY_SECONDS,
    expireSeconds: e.RUN_EXPIRE_SECONDS,
    pollSeconds: e.RUN_POLL_SECONDS,
    ...overrides,
  };
}
