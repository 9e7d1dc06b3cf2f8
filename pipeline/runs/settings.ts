// Timings of the job framework, from the environment (validated); tests and benches pass their own.
import { z } from 'zod';

const schema = z.object({
  /** How often a running batch records that its worker is alive. */
  RUN_HEARTBEAT_SECONDS: z.coerce.number().min(0.2).max(300).default(5),
  /** A batch whose heartbeat is older than this is taken over by another worker. */
  RUN_STALE_SECONDS: z.coerce.number().min(1).max(3600).default(30),
  /** Attempts of a batch (first run included) before it is marked failed. */
  RUN_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(4),
  /** Base delay of the exponential retry backoff. */
  RUN_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
  /** pg-boss's own expiry, a backstop for a worker that hangs while its heartbeat keeps beating. */
  RUN_EXPIRE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(3600),
  /** How often an idle worker polls its queues. */
  RUN_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(2),
});

export type RunSettings = {
  heartbeatSeconds: number;
  staleSeconds: number;
  maxAttempts: number;
  retryDelaySeconds: number;
  expireSeconds: number;
  pollSeconds: number;
};

export function runSettings(source: Record<string, string | undefined> = process.env, overrides: Partial<RunSettings> = {}): RunSettings {
  const raw = Object.fromEntries(Object.entries(source).filter(([k, v]) => k.startsWith('RUN_') && v !== ''));
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw new Error(`Invalid run settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const e = parsed.data;
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
