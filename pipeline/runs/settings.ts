// Timings of the job framework (RUN_* in lib/settings.ts, which defines, defaults and validates them); tests and
// benches pass their own. pg-boss applies them: they go on every batch job and on the process's pg-boss instance.
import { loadSettings } from '../../lib/settings.ts';

export type RunSettings = {
  heartbeatSeconds: number;
  maxAttempts: number;
  retryDelaySeconds: number;
  retryDelayMaxSeconds: number;
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
    maxAttempts: e.RUN_MAX_ATTEMPTS,
    retryDelaySeconds: e.RUN_RETRY_DELAY_SECONDS,
    retryDelayMaxSeconds: e.RUN_RETRY_DELAY_MAX_SECONDS,
    expireSeconds: e.RUN_EXPIRE_SECONDS,
    pollSeconds: e.RUN_POLL_SECONDS,
    ...overrides,
  };
}

/**
 * How often pg-boss's supervisor looks for jobs whose heartbeat stopped or that expired: half a heartbeat, so a killed
 * worker's batch is retried within 1.5 heartbeats (pg-boss's default, 60 s, would add a minute to every takeover).
 */
export const superviseSeconds = (s: Pick<RunSettings, 'heartbeatSeconds'>) =>
  Math.max(1, Math.min(60, Math.round(s.heartbeatSeconds / 2)));
