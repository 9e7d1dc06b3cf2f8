import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAllowlist } from '../../../pipeline/fetch/allowlist.ts';
import type { FetchPhotoInput } from '../../../lib/domain/fetchOutcome.ts';
import { fetchPhoto, type FetchPhotoOptions } from '../../../pipeline/fetch/fetchPhoto.ts';
import { clipPath, thumbPath } from '../../../pipeline/fetch/imageStore.ts';
import { startServer } from './imageServer.ts';

let jpeg: Buffer;
let server: Awaited<ReturnType<typeof startServer>>;
let foreign: Awaited<ReturnType<typeof startServer>>;
let dir: string;
let flaky = 0;

function photo(urlPath: string, id = urlPath): FetchPhotoInput {
  return {
    id,
    urlB: `${server.origin}${urlPath}`,
    urlC: null,
    urlZ: null,
    urlM: null,
    urlO: null,
    sizes: {},
  };
}

const options = (): FetchPhotoOptions => ({
  allowlist: createAllowlist([server.host]),
  timeoutMs: 1000,
  maxBytes: 200_000,
  retries: 2,
  backoffMs: 5,
  dataDir: dir,
});

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'quarry-fetch-'));
  jpeg = await sharp({ create: { width: 640, height: 480, channels: 3, background: '#4a7' } })
    .composite([
      { input: { create: { width: 200, height: 120, channels: 3, background: '#c33' } }, left: 50, top: 60 },
    ])
    .jpeg({ quality: 85 })
    .toBuffer();
  foreign = await startServer({
    '/evil.jpg': (_q, r) => r.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg),
  });
  server = await startServer({
    '/ok.jpg': (_q, r) => r.writeHead(200, { 'content-type': 'image/jpeg' }).end(jpeg),
    '/corrupt.jpg': (_q, r) =>
      r.writeHead(200).end(Buffer.concat([jpeg.subarray(0, 600), Buffer.alloc(4000, 0x55)])),
    '/page.jpg': (_q, r) =>
      r
        .writeHead(200, { 'content-type': 'text/html' })
        .end('<html><body>Not an image, but long enough</body></html>'),
    '/huge.jpg': (_q, r) => r.writeHead(200).end(Buffer.concat([jpeg.subarray(0, 3), Buffer.alloc(300_000)])),
    '/huge-chunked.jpg': (_q, r) => {
      r.writeHead(200);
      for (let i = 0; i < 40; i++) r.write(Buffer.alloc(10_000));
      r.end();
    },
    '/to-foreign.jpg': (_q, r) => r.writeHead(302, { location: `${foreign.origin}/evil.jpg` }).end(),
    '/to-local.jpg': (_q, r) => r.writeHead(301, { location: '/ok.jpg' }).end(),
    '/gone.jpg': (_q, r) => r.writeHead(410).end(),
    '/flaky.jpg': (_q, r) => (flaky++ < 2 ? r.writeHead(503).end('busy') : r.writeHead(200).end(jpeg)),
    '/down.jpg': (_q, r) => r.writeHead(500).end('broken'),
    '/slow.jpg': (_q, r) => {
      setTimeout(() => r.writeHead(200).end(jpeg), 3000);
    },
  });
});

afterAll(async () => {
  await server.close();
  await foreign.close();
  await rm(dir, { recursive: true, force: true });
});

describe('fetchPhoto', () => {
  it('stores a WebP thumbnail (long side 256) and the CLIP crop under the content hash', async () => {
    const out = await fetchPhoto(photo('/ok.jpg'), options());
    expect(out.status).toBe('available');
    if (out.status !== 'available') return;
    expect(out.contentHash).toMatch(/^[0-9a-f]{64}$/);
    expect([out.width, out.height]).toEqual([640, 480]);
    const thumb = await sharp(await readFile(thumbPath(out.contentHash, dir))).metadata();
    expect([thumb.format, thumb.width, thumb.height]).toEqual(['webp', 256, 192]);
    const clip = await sharp(await readFile(clipPath(out.contentHash, dir))).metadata();
    expect([clip.format, clip.width, clip.height]).toEqual(['webp', 224, 224]);
  });

  it('follows a redirect within the allowlist', async () => {
    expect((await fetchPhoto(photo('/to-local.jpg'), options())).status).toBe('available');
  });

  it('never requests a host outside the allowlist, even through a redirect', async () => {
    const out = await fetchPhoto(photo('/to-foreign.jpg'), options());
    expect(out).toMatchObject({ status: 'error', kind: 'forbidden_host' });
    expect(foreign.hits['/evil.jpg']).toBeUndefined();
    const direct = await fetchPhoto({ ...photo('/x'), urlB: `${foreign.origin}/evil.jpg` }, options());
    expect(direct).toMatchObject({ status: 'error', kind: 'forbidden_host' });
  });

  it('reports corrupt images, non-images and oversize bodies as per-photo errors', async () => {
    expect(await fetchPhoto(photo('/corrupt.jpg'), options())).toMatchObject({
      status: 'error',
      kind: 'corrupt',
    });
    expect(await fetchPhoto(photo('/page.jpg'), options())).toMatchObject({
      status: 'error',
      kind: 'not_image',
    });
    expect(await fetchPhoto(photo('/huge.jpg'), options())).toMatchObject({
      status: 'error',
      kind: 'too_large',
    });
    expect(await fetchPhoto(photo('/huge-chunked.jpg'), options())).toMatchObject({
      status: 'error',
      kind: 'too_large',
    });
  });

  it('marks 404 and 410 as unavailable, not as errors', async () => {
    expect((await fetchPhoto(photo('/missing.jpg'), options())).status).toBe('unavailable');
    expect((await fetchPhoto(photo('/gone.jpg'), options())).status).toBe('unavailable');
  });

  it('retries 5xx answers and gives up with an http_error after the retries', async () => {
    expect((await fetchPhoto(photo('/flaky.jpg'), options())).status).toBe('available');
    expect(server.hits['/flaky.jpg']).toBe(3);
    expect(await fetchPhoto(photo('/down.jpg'), options())).toMatchObject({
      status: 'error',
      kind: 'http_error',
    });
    expect(server.hits['/down.jpg']).toBe(3);
  });

  it('times out a server that does not answer', async () => {
    const out = await fetchPhoto(photo('/slow.jpg'), { ...options(), timeoutMs: 200, retries: 0 });
    expect(out).toMatchObject({ status: 'error', kind: 'timeout' });
  });
});
