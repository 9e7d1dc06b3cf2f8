import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluate } from '../../../pipeline/checks/exifCopyright.ts';
import { metadataFields, readExif, xmpFields } from '../../../pipeline/checks/exifRead.ts';
import { createAllowlist } from '../../../pipeline/fetch/allowlist.ts';
import { startServer } from '../fetch/imageServer.ts';

const photoWith = (ifd0: Record<string, string>, size = 2000) =>
  sharp({
    create: {
      width: size,
      height: size,
      channels: 3,
      background: '#777',
      noise: { type: 'gaussian', mean: 128, sigma: 40 },
    },
  })
    .withExif({ IFD0: ifd0 })
    .jpeg({ quality: 95 })
    .toBuffer();

let server: Awaited<ReturnType<typeof startServer>>;
let big: Buffer;
let ranges: string[] = [];

beforeAll(async () => {
  big = await photoWith({ Copyright: '© 2019 Jane Doe. All rights reserved.', Artist: 'Jane Doe' });
  const decoy = await photoWith({ Copyright: 'No known copyright restrictions' }, 300);
  server = await startServer({
    '/big_o.jpg': (req, res) => {
      ranges.push(req.headers.range ?? '');
      const m = /bytes=0-(\d+)/.exec(req.headers.range ?? '');
      if (!m) return res.writeHead(200).end(big);
      res
        .writeHead(206, { 'content-range': `bytes 0-${m[1]}/${big.length}` })
        .end(big.subarray(0, Number(m[1]) + 1));
    },
    '/ignores-range_o.jpg': (_q, res) => res.writeHead(200).end(big),
    '/decoy_o.jpg': (_q, res) => res.writeHead(200).end(decoy),
    '/broken_o.jpg': (_q, res) => res.writeHead(503).end('down'),
  });
});
afterAll(() => server.close());

const opts = () => ({
  allowlist: createAllowlist([server.host]),
  timeoutMs: 2000,
  maxBytes: 1_000_000,
  retries: 0,
});

describe('EXIF copyright', () => {
  it('reads EXIF from the first 128 KB of a large original and fails on a restriction', async () => {
    expect(big.length).toBeGreaterThan(1_000_000);
    const read = await readExif({ id: '1', secret: 's', urlO: `${server.origin}/big_o.jpg` }, opts());
    expect(ranges).toEqual(['bytes=0-131071']);
    const r = evaluate(read);
    expect(r.verdict).toBe('fail');
    expect(r.details).toMatchObject({ source: 'original', field: 'Copyright' });
    // libvips stores EXIF ASCII tags, writing © as (C).
    expect(String(r.details.phrase)).toMatch(/(©|\(C\)) 2019 Jane Doe/);
  });

  it('stops reading at 128 KB when the server ignores Range', async () => {
    const read = await readExif(
      { id: '1', secret: 's', urlO: `${server.origin}/ignores-range_o.jpg` },
      opts(),
    );
    expect(evaluate(read).verdict).toBe('fail');
  });

  it('passes a statement of freedom in the Copyright tag and flags a bare name as uncertain', async () => {
    expect(
      evaluate(await readExif({ id: '2', secret: 's', urlO: `${server.origin}/decoy_o.jpg` }, opts()))
        .verdict,
    ).toBe('pass');
    expect(evaluate({ ok: true, source: 'original', fields: { Copyright: 'Jane Doe' } }).verdict).toBe(
      'uncertain',
    );
    expect(evaluate({ ok: true, source: 'original', fields: { Artist: 'Jane Doe' } }).verdict).toBe('pass');
  });

  it('reads UserComment and XMP rights', async () => {
    const jpeg = await sharp({ create: { width: 64, height: 64, channels: 3, background: '#888' } })
      .withExif({ IFD0: { Software: 'x' }, IFD2: { UserComment: 'Do not use without permission' } })
      .jpeg()
      .toBuffer();
    const fields = await metadataFields(jpeg);
    expect(fields.UserComment).toBe('Do not use without permission');
    const xmp = xmpFields(
      '<x:xmpmeta><rdf:Description xmpRights:Marked="True"><dc:rights><rdf:Alt><rdf:li xml:lang="x-default">Copyright 2020 ACME Corp</rdf:li></rdf:Alt></dc:rights></rdf:Description></x:xmpmeta>',
    );
    expect(xmp['XMP dc:rights']).toBe('Copyright 2020 ACME Corp');
    expect(evaluate({ ok: true, source: 'original', fields: xmp }).verdict).toBe('fail');
    expect(
      evaluate({ ok: true, source: 'original', fields: { 'XMP xmpRights:Marked': 'False' } }).verdict,
    ).toBe('pass');
  });

  it('reports download failures as errors, and a removed or missing original as unchecked unless the API has EXIF', async () => {
    expect(
      evaluate(await readExif({ id: '3', secret: 's', urlO: `${server.origin}/broken_o.jpg` }, opts())),
    ).toMatchObject({ verdict: 'error', details: { kind: 'http_error' } });
    expect(evaluate(await readExif({ id: '3', secret: 's', urlO: null }, opts()))).toMatchObject({
      verdict: 'pass',
      details: { source: 'none', reason: 'no original offered' },
    });
    expect(
      evaluate(await readExif({ id: '3', secret: 's', urlO: `${server.origin}/missing_o.jpg` }, opts())),
    ).toMatchObject({
      verdict: 'pass',
      details: { source: 'none', reason: 'original unavailable (HTTP 404)' },
    });
    const getExif = async () => [{ tag: 'Copyright', raw: 'All rights reserved' }];
    expect(
      evaluate(
        await readExif(
          { id: '3', secret: 's', urlO: `${server.origin}/missing_o.jpg` },
          { ...opts(), getExif },
        ),
      ),
    ).toMatchObject({ verdict: 'fail', details: { source: 'flickr_api', field: 'Copyright' } });
    const gone = async () => 'not_found' as const;
    expect(
      evaluate(await readExif({ id: '3', secret: 's', urlO: null }, { ...opts(), getExif: gone })),
    ).toMatchObject({ verdict: 'pass', details: { source: 'none', reason: 'photo not found on Flickr' } });
  });
});
