import sharp from 'sharp';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startFlickrSimulator, type FlickrSimulator } from '../../../../pipeline/devkit/simulator/server.ts';
import { generateUniverse, isEligible } from '../../../../pipeline/devkit/universe/generate.ts';

const universe = generateUniverse({ seed: 'simulator', photos: 600, accounts: 40 });
let sim: FlickrSimulator;

async function api(params: Record<string, string>, key = 'k') {
  const q = new URLSearchParams({ api_key: key, format: 'json', nojsoncallback: '1', ...params });
  const res = await fetch(`${sim.apiBase}?${q}`);
  return { status: res.status, headers: res.headers, text: await res.text() };
}
const json = async (params: Record<string, string>) => JSON.parse((await api(params)).text);
const search = (extra: Record<string, string> = {}) =>
  json({
    method: 'flickr.photos.search',
    license: '7,8,9,10',
    safe_search: '1',
    content_types: '0',
    media: 'photos',
    sort: 'date-posted-asc',
    per_page: '500',
    ...extra,
  });

beforeAll(async () => {
  sim = await startFlickrSimulator({ universe, apiKey: 'k', resultCap: 200 });
});
afterAll(async () => {
  await sim?.close();
});
beforeEach(() => sim.setFaults({}));

describe('flickr.photos.search', () => {
  it('answers in the real JSON shape: total a string, ids and dates strings, dimensions numbers', async () => {
    const body = await search({
      per_page: '5',
      extras: 'description,license,date_upload,date_taken,owner_name,o_dims,views,url_l,url_o',
    });
    expect(body.photos.photo.length).toBe(5);
    expect(body.stat).toBe('ok');
    expect(typeof body.photos.total).toBe('string');
    expect(typeof body.photos.page).toBe('number');
    const p = (
      await search({
        extras: 'description,license,date_upload,date_taken,owner_name,o_dims,views,url_l,url_o',
      })
    ).photos.photo.find((x: { url_l?: string; o_width?: string }) => x.url_l && x.o_width);
    expect(p).toMatchObject({
      id: expect.any(String),
      owner: expect.any(String),
      server: expect.any(String),
      farm: expect.any(Number),
      license: expect.stringMatching(/^(7|8|9|10)$/),
      dateupload: expect.stringMatching(/^\d+$/),
      datetakenunknown: expect.stringMatching(/^[01]$/),
      o_width: expect.any(String),
      views: expect.any(String),
      description: { _content: expect.any(String) },
      width_l: expect.any(Number),
    });
    expect(Math.max(p.width_l, p.height_l)).toBe(1024);
    expect(p.url_l).toMatch(new RegExp(`^${sim.url}/${p.server}/${p.id}_${p.secret}_b\\.jpg$`));
  });

  it('honours licenses, safe search, content types and media', async () => {
    const body = await search({ per_page: '500', extras: 'license' });
    const expected = universe.photos.filter((p) => isEligible(p));
    expect(Number(body.photos.total)).toBe(expected.length);
    const only10 = await search({ license: '10', extras: 'license' });
    expect(only10.photos.photo.every((p: { license: string }) => p.license === '10')).toBe(true);
  });

  it('returns at most the cap of unique results and then repeats itself', async () => {
    const ids: string[] = [];
    for (let page = 1; page <= 5; page++)
      ids.push(
        ...(await search({ per_page: '100', page: String(page) })).photos.photo.map(
          (p: { id: string }) => p.id,
        ),
      );
    expect(ids.length).toBe(Math.min(500, universe.groundTruth.eligible.length));
    expect(new Set(ids).size).toBe(200);
  });

  it('filters by upload date, both bounds inclusive', async () => {
    const p = universe.photos.find((x) => isEligible(x))!;
    const body = await search({
      min_upload_date: String(p.dateUpload),
      max_upload_date: String(p.dateUpload),
    });
    expect(body.photos.photo.map((x: { id: string }) => x.id)).toContain(p.id);
  });
});

describe('errors and faults', () => {
  it('answers Flickr failures as stat fail with Flickr codes', async () => {
    expect(JSON.parse((await api({ method: 'flickr.photos.search', license: '9' }, 'bad')).text)).toEqual({
      stat: 'fail',
      code: 100,
      message: expect.stringContaining('Invalid API Key'),
    });
    expect((await json({ method: 'flickr.nope' })).code).toBe(112);
    expect((await json({ method: 'flickr.photos.search' })).code).toBe(3);
  });

  it('injects 429s with Retry-After, 105s and truncated bodies on request', async () => {
    sim.setFaults({ rate429: 1 });
    const r = await api({ method: 'flickr.photos.search', license: '9' });
    expect(r.status).toBe(429);
    expect(r.headers.get('retry-after')).toBe('1');
    sim.setFaults({ truncateRate: 1 });
    const cut = (await api({ method: 'flickr.photos.search', license: '9' })).text;
    expect(() => JSON.parse(cut)).toThrow();
    // The admin endpoint drives the same switches from outside the process.
    await fetch(`${sim.url}/__sim/faults`, {
      method: 'POST',
      body: JSON.stringify({ errorRate: 1, seed: 'x' }),
    });
    const statuses = new Set<string>();
    for (let i = 0; i < 20; i++) {
      const f = await api({ method: 'flickr.photos.search', license: '9' });
      statuses.add(f.status === 200 ? `fail ${JSON.parse(f.text).code}` : String(f.status));
    }
    expect([...statuses].every((s) => ['fail 105', '500', '502', '503'].includes(s))).toBe(true);
    expect(statuses.size).toBeGreaterThan(1);
  });
});

describe('other methods', () => {
  it('getExif returns the universe EXIF, code 2 when hidden, code 1 when unknown', async () => {
    const live = (id: string) => !universe.photos.find((p) => p.id === id)!.deleted;
    const withCopyright = universe.groundTruth.copyrightExif.find((c) => live(c.id))!;
    const body = await json({ method: 'flickr.photos.getExif', photo_id: withCopyright.id });
    expect(body.photo.exif).toContainEqual(
      expect.objectContaining({ tag: withCopyright.field, raw: { _content: withCopyright.value } }),
    );
    expect(
      (await json({ method: 'flickr.photos.getExif', photo_id: universe.groundTruth.exifHidden.find(live)! }))
        .code,
    ).toBe(2);
    expect((await json({ method: 'flickr.photos.getExif', photo_id: '1' })).code).toBe(1);
  });

  it('people.getInfo and photos.getSizes use _content wrappers and size lists', async () => {
    const a = universe.accounts[0];
    const person = (await json({ method: 'flickr.people.getInfo', user_id: a.nsid })).person;
    expect(person.username).toEqual({ _content: a.username });
    expect(person.photos.count._content).toBeGreaterThan(0);
    const p = universe.photos.find((x) => !x.deleted && !x.originalHidden && x.width >= 1024)!;
    const sizes = (await json({ method: 'flickr.photos.getSizes', photo_id: p.id })).sizes;
    expect(sizes.size.map((s: { label: string }) => s.label)).toContain('Original');
    expect(sizes.size.find((s: { label: string }) => s.label === 'Large')).toMatchObject({
      width: expect.any(Number),
      source: expect.stringContaining('_b.jpg'),
    });
  });
});

describe('images', () => {
  const origin = (id: string) => {
    const p = universe.photos.find((x) => x.id === id)!;
    return `${sim.url}/${p.server}/${p.id}_${p.originalSecret}_o.jpg`;
  };

  it('serves the size asked for, and 404 for deleted photos and wrong secrets', async () => {
    const p = universe.photos.find((x) => !x.deleted && x.width >= 640 && x.height >= 640 / 2)!;
    const res = await fetch(`${sim.url}/${p.server}/${p.id}_${p.secret}_z.jpg`);
    expect(res.status).toBe(200);
    const meta = await sharp(Buffer.from(await res.arrayBuffer())).metadata();
    expect(Math.max(meta.width, meta.height)).toBe(640);
    expect((await fetch(`${sim.url}/${p.server}/${p.id}_0000000000_z.jpg`)).status).toBe(404);
    const gone = universe.photos.find((x) => x.deleted)!;
    expect((await fetch(`${sim.url}/${gone.server}/${gone.id}_${gone.secret}.jpg`)).status).toBe(404);
  });

  it('supports Range requests on originals, which carry the EXIF', async () => {
    // One libvips writes as it is (it turns © into "(C)"); camera, Windows and Photoshop bytes are tested in hardCases.
    const { id, value } = universe.groundTruth.copyrightExif.find((c) => {
      const p = universe.photos.find((x) => x.id === c.id)!;
      return !p.originalHidden && !p.deleted && !c.style && !c.value.includes('©');
    })!;
    const full = Buffer.from(await (await fetch(origin(id))).arrayBuffer());
    expect((await sharp(full).metadata()).exif?.toString('latin1')).toContain(
      Buffer.from(value).toString('latin1'),
    );
    const part = await fetch(origin(id), { headers: { range: 'bytes=0-1023' } });
    expect(part.status).toBe(206);
    expect(part.headers.get('content-range')).toBe(`bytes 0-1023/${full.length}`);
    expect(Buffer.from(await part.arrayBuffer())).toEqual(full.subarray(0, 1024));
    expect((await fetch(origin(id), { headers: { range: `bytes=${full.length + 5}-` } })).status).toBe(416);
  });

  it('cuts image bodies short when asked, so a download fails', async () => {
    sim.setFaults({ imageTruncateRate: 1 });
    const p = universe.photos.find((x) => !x.deleted && Math.max(x.width, x.height) >= 500)!;
    await expect(
      fetch(`${sim.url}/${p.server}/${p.id}_${p.secret}.jpg`).then((r) => r.arrayBuffer()),
    ).rejects.toThrow();
  });
});
