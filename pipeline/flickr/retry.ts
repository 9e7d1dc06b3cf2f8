// Retries transient Flickr failures with exponential backoff and jitter; anything else is thrown at once.
import { FlickrRetryableError } from './errors.ts';
import { realClock, type Clock } from './rateLimiter.ts';

export type RetryOptions = {
  /** Attempts after the first. */
  retries?: number;
  baseMs?: number;
  maxMs?: number;
  random?: () => number;
  clock?: Pick<Clock, 'sleep'>;
  onRetry?: (error: FlickrRetryableError, attempt: number, delayMs: number) => void;
};

/** Delay before retry `attempt` (0-based): "equal jitter", half fixed and half random, never under Retry-After (up to maxMs). */
export function backoffDelay(
  attempt: number,
  opts: { baseMs: number; maxMs: number; random: () => number; retryAfterMs?: number },
): number {
  const ceiling = Math.min(opts.maxMs, opts.baseMs * 2 ** attempt);
  const delay = ceiling / 2 + opts.random() * (ceiling / 2);
  return Math.max(delay, Math.min(opts.retryAfterMs ?? 0, opts.maxMs));
}

export async function withRetry<T>(
  fn: () => Promise<T>,
  opts: RetryOptions = {},
  signal?: AbortSignal,
): Promise<T> {
  const retries = opts.retries ?? 8;
  const baseMs = opts.baseMs ?? 1000;
  const maxMs = opts.maxMs ?? 60_000;
  const random = opts.random ?? Math.random;
  const clock = opts.clock ?? realClock;
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (e) {
      if (!(e instanceof FlickrRetryableError) || attempt >= retries || signal?.aborted) throw e;
      const delay = backoffDelay(attempt, { baseMs, maxMs, random, retryAfterMs: e.detail.retryAfterMs });
      opts.onRetry?.(e, attempt + 1, delay);
      await clock.sleep(delay, signal);
    }
  }
}
