import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createFlickrClient } from '../../../pipeline/flickr/client.ts';
import {
  FlickrApiError,
  FlickrInvalidKeyError,
  FlickrRetryableError,
} from '../../../pipeline/flickr/errors.ts';
import { createRateLimiter } from '../../../pipeline/flickr/rateLimiter.ts';
import { searchPhotos } from '../../../pipeline/flickr/search.ts';
import { startFlickrSimulator, type FlickrSimulator } from '../../../pipeline/devkit/simulator/server.ts';
import { generateUniverse } from '../../../pipeline/devkit/universe/generate.ts';

const universe = generateUniverse({ seed: 'client', photos: 120 });
let sim: FlickrSimulator;
const query = { licenses: [7, 8, 9, 10], minUpload: 0, maxUpload: 2_000_000_000, page: 1, perPage: 500 };
const make = (opts: { apiKey?: string; retries?: number; timeoutMs?: number } = {}) =>
  createFlickrClient({
    apiKey: opts.apiKey ?? 'key-1',
    apiBase: sim.apiBase,
    rateLimiter: createRateLimiter({ perHour: 1e9 }),
    retry: { retries: opts.retries ?? 8, baseMs: 1, maxMs: 5 },
    timeoutMs: opts.timeoutMs,
  });

beforeAll(async () => {
  sim = await startFlickrSimulator({ universe, apiKey: 'key-1' });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => sim.setFaults({}));

describe('Flickr client on flickr-sdk against a Flickr-compatible server', () => {
  it('sends requests to the configured endpoint and returns the answer', async () => {
    const page = await searchPhotos(make(), query);
    expect(page.total).toBe(universe.groundTruth.eligible.length);
    expect(sim.stats().requests['flickr.photos.search']).toBeGreaterThan(0);
  });

  it('fails an invalid key at once, without retrying, naming the setting to fix', async () => {
    const c = make({ apiKey: 'nope' });
    const err = await searchPhotos(c, query).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlickrInvalidKeyError);
    expect((err as Error).message).toMatch(/code 100.*FLICKR_API_KEY/);
    expect((err as FlickrInvalidKeyError).request.params.api_key).toBe('[redacted]');
    expect(c.counters.requests).toBe(1);
  });

  it('retries 105s, HTTP errors and truncated bodies until an answer gets through', async () => {
    sim.setFaults({ errorRate: 0.5, truncateRate: 0.5, seed: 'c1' });
    const c = make({ retries: 30 });
    for (let i = 0; i < 5; i++) expect((await searchPhotos(c, query)).photos.length).toBeGreaterThan(0);
    expect(c.counters.retries).toBeGreaterThan(0);
  });

  it('gives up with a retryable error when every answer is a failure', async () => {
    sim.setFaults({ errorRate: 1 });
    const c = make({ retries: 2 });
    await expect(searchPhotos(c, query)).rejects.toBeInstanceOf(FlickrRetryableError);
    expect(c.counters.requests).toBe(3);
  });

  it('times out slow answers and retries them', async () => {
    sim.setFaults({ delayMs: 300 });
    const c = make({ retries: 1, timeoutMs: 50 });
    const err = await searchPhotos(c, query).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlickrRetryableError);
    expect((err as Error).message).toMatch(/timed out/);
    expect(c.counters.requests).toBe(2);
  });

  it('records other Flickr errors with the request that caused them', async () => {
    const err = await make()
      .call('flickr.photos.getExif', { photo_id: '1' })
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FlickrApiError);
    expect(err).toMatchObject({
      code: 1,
      request: { method: 'flickr.photos.getExif', params: { photo_id: '1', api_key: '[redacted]' } },
    });
  });
});
