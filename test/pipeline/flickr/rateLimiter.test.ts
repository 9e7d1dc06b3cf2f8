import { describe, expect, it } from 'vitest';
import { createRateLimiter, processRateLimiter, type Clock } from '../../../pipeline/flickr/rateLimiter.ts';

/** A clock that only moves when someone sleeps, so rates are measured exactly. */
function fakeClock(): Clock & { t: number } {
  const c = {
    t: 0,
    now: () => c.t,
    sleep: async (ms: number) => {
      c.t += ms;
    },
  };
  return c;
}

describe('token bucket rate limiter', () => {
  it('holds 3,600 requests an hour to one a second after its small burst', async () => {
    const clock = fakeClock();
    const limiter = createRateLimiter({ perHour: 3600, burst: 5, clock });
    for (let i = 0; i < 5; i++) await limiter.take();
    expect(clock.t).toBe(0);
    for (let i = 0; i < 100; i++) await limiter.take();
    expect(clock.t).toBeCloseTo(100_000, -1);
  });

  it('queues concurrent callers fairly instead of letting them all through', async () => {
    // Time stands still while they wait: each reservation waits its own turn, 100, 200, 300 ms at 10 per second.
    const sleeps: number[] = [];
    const limiter = createRateLimiter({
      perHour: 36_000,
      burst: 1,
      clock: {
        now: () => 0,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      },
    });
    await limiter.take();
    await Promise.all([limiter.take(), limiter.take(), limiter.take()]);
    expect(sleeps.map(Math.round)).toEqual([100, 200, 300]);
  });

  it('gives the token back when a waiting request is aborted', async () => {
    const clock = fakeClock();
    const ac = new AbortController();
    const aborting: Clock = {
      now: clock.now,
      sleep: async () => {
        ac.abort(new Error('stop'));
        throw new Error('stop');
      },
    };
    const limiter = createRateLimiter({ perHour: 3600, burst: 1, clock: aborting });
    await limiter.take();
    await expect(limiter.take(ac.signal)).rejects.toThrow('stop');
    const sleeps: number[] = [];
    const l = createRateLimiter({
      perHour: 3600,
      burst: 1,
      clock: {
        now: clock.now,
        sleep: async (ms) => {
          sleeps.push(ms);
        },
      },
    });
    await l.take();
    await l.take();
    expect(sleeps).toEqual([1000]);
  });

  it('is shared across the process', () => {
    expect(processRateLimiter(3600)).toBe(processRateLimiter(3600));
    expect(processRateLimiter(7200).perHour).toBe(7200);
  });
});
