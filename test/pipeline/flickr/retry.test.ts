import { describe, expect, it } from 'vitest';
import { FlickrApiError, FlickrRetryableError } from '../../../pipeline/flickr/errors.ts';
import { backoffDelay, withRetry } from '../../../pipeline/flickr/retry.ts';

const request = { method: 'flickr.photos.search', params: { api_key: 'secret-key', page: '2' } };

describe('retry with backoff and jitter', () => {
  it('doubles the delay each attempt, jittered within its upper half, capped', () => {
    const opts = { baseMs: 1000, maxMs: 8000 };
    expect(backoffDelay(0, { ...opts, random: () => 0 })).toBe(500);
    expect(backoffDelay(0, { ...opts, random: () => 0.999 })).toBeCloseTo(1000, -1);
    expect(backoffDelay(2, { ...opts, random: () => 0 })).toBe(2000);
    expect(backoffDelay(10, { ...opts, random: () => 1 })).toBe(8000);
    expect(backoffDelay(0, { ...opts, random: () => 0, retryAfterMs: 3000 })).toBe(3000);
  });

  it('retries transient failures until one succeeds', async () => {
    let calls = 0;
    const sleeps: number[] = [];
    const result = await withRetry(
      async () => {
        if (++calls < 4) throw new FlickrRetryableError('HTTP 503', request, { status: 503 });
        return 'ok';
      },
      {
        baseMs: 100,
        random: () => 0,
        clock: {
          sleep: async (ms) => {
            sleeps.push(ms);
          },
        },
      },
    );
    expect(result).toBe('ok');
    expect(sleeps).toEqual([50, 100, 200]);
  });

  it('does not retry other errors, and gives up after the allowed retries', async () => {
    let calls = 0;
    const noSleep = { sleep: async () => {} };
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new FlickrApiError('Method not found', request, 112);
        },
        { clock: noSleep },
      ),
    ).rejects.toThrow('Method not found');
    expect(calls).toBe(1);
    calls = 0;
    await expect(
      withRetry(
        async () => {
          calls++;
          throw new FlickrRetryableError('HTTP 502', request);
        },
        { retries: 3, clock: noSleep },
      ),
    ).rejects.toThrow('HTTP 502');
    expect(calls).toBe(4);
  });

  it('never keeps the API key in the recorded request', () => {
    const e = new FlickrApiError('x', request, 1);
    expect(e.request.params).toEqual({ api_key: '[redacted]', page: '2' });
  });
});
