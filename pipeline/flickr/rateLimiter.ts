// A token bucket limiting Flickr requests per hour; one shared instance per process, injectable for tests.

export type RateLimiter = {
  /** Resolves when a request may be sent; each call spends one token. */
  take: (signal?: AbortSignal) => Promise<void>;
  readonly perHour: number;
};

export type Clock = { now: () => number; sleep: (ms: number, signal?: AbortSignal) => Promise<void> };

export const realClock: Clock = {
  now: () => performance.now(),
  sleep: (ms, signal) =>
    new Promise((resolve, reject) => {
      if (signal?.aborted) return reject(signal.reason);
      const t = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      const onAbort = () => {
        clearTimeout(t);
        reject(signal!.reason);
      };
      signal?.addEventListener('abort', onAbort, { once: true });
    }),
};

/**
 * `burst` tokens at most are saved up (default: a tenth of a minute's worth, at least 1), so a
 * quiet spell never lets a run exceed the hourly rate by much.
 */
export function createRateLimiter(opts: { perHour: number; burst?: number; clock?: Clock }): RateLimiter {
  if (!(opts.perHour > 0)) throw new Error('Rate limit must be a positive number of requests per hour');
  const clock = opts.clock ?? realClock;
  const perMs = opts.perHour / 3_600_000;
  const capacity = Math.max(1, opts.burst ?? Math.floor(opts.perHour / 600));
  let tokens = capacity;
  let last = clock.now();
  return {
    perHour: opts.perHour,
    async take(signal) {
      const now = clock.now();
      tokens = Math.min(capacity, tokens + (now - last) * perMs);
      last = now;
      // Reserve the token now (the balance may go negative) so concurrent callers queue fairly.
      tokens -= 1;
      if (tokens >= 0) return;
      try {
        await clock.sleep(-tokens / perMs, signal);
      } catch (e) {
        tokens += 1;
        throw e;
      }
    },
  };
}

const shared = globalThis as unknown as { __quarryFlickrLimiter?: RateLimiter };

/** The process-wide limiter: every Flickr request of this process draws from it. */
export function processRateLimiter(perHour: number): RateLimiter {
  if (!shared.__quarryFlickrLimiter || shared.__quarryFlickrLimiter.perHour !== perHour) {
    shared.__quarryFlickrLimiter = createRateLimiter({ perHour });
  }
  return shared.__quarryFlickrLimiter;
}
