import { describe, expect, it } from 'vitest';
import { parseDateTaken, parseSearchPage, toPhotoRecord } from '../../../pipeline/flickr/parse.ts';

// Shaped like a recorded real flickr.photos.search answer: total is a string, page/pages numbers.
const realPhoto = {
  id: '49519541267',
  owner: '7478087@N06',
  secret: 'a1b2c3d4e5',
  server: '65535',
  farm: 66,
  title: 'Harbour',
  ispublic: 1,
  isfriend: 0,
  isfamily: 0,
  license: '9',
  description: {
    _content: 'Fish &amp; chips&#8230; <a href="https://x.org" rel="noreferrer nofollow">blog</a>&nbsp;\n',
  },
  o_width: '4932',
  o_height: '3288',
  dateupload: '1581319011',
  datetaken: '2019-12-31 23:59:58',
  datetakengranularity: 0,
  datetakenunknown: '0',
  ownername: 'Some Museum',
  views: '1043',
  tags: 'harbour boats',
  originalsecret: 'f0e1d2c3b4',
  originalformat: 'jpg',
  url_o: 'https://live.staticflickr.com/65535/49519541267_f0e1d2c3b4_o.jpg',
  height_o: 3288,
  width_o: 4932,
  url_l: 'https://live.staticflickr.com/65535/49519541267_a1b2c3d4e5_b.jpg',
  height_l: 683,
  width_l: 1024,
  url_z: 'https://live.staticflickr.com/65535/49519541267_a1b2c3d4e5_z.jpg',
  height_z: 427,
  width_z: 640,
};

describe('search answer parsing', () => {
  it('converts Flickr string numbers and keeps raw HTML', () => {
    const page = parseSearchPage({
      photos: { page: 1, pages: 1, perpage: 500, total: '30', photo: [realPhoto] },
      stat: 'ok',
    });
    expect(page.total).toBe(30);
    const p = page.photos[0];
    expect(p.license).toBe(9);
    expect(p.dateUpload.toISOString()).toBe('2020-02-10T07:16:51.000Z');
    expect(p.originalWidth).toBe(4932);
    expect(p.views).toBe(1043);
    expect(p.farm).toBe(66);
    expect(p.dateTaken).toBe('2019-12-31 23:59:58');
    expect(p.dateTakenGranularity).toBe(0);
    expect(p.dateTakenUnknown).toBe(false);
    expect(p.description).toBe(realPhoto.description._content);
    expect(p.ownerName).toBe('Some Museum');
  });

  it('stores url_l as the _b URL and derives url_m from the same host', () => {
    const p = toPhotoRecord(realPhoto);
    expect(p.urlB).toBe(realPhoto.url_l);
    expect(p.urlM).toBe('https://live.staticflickr.com/65535/49519541267_a1b2c3d4e5.jpg');
    expect(p.sizes).toEqual({ o: [4932, 3288], b: [1024, 683], z: [640, 427], m: [500, 333] });
    const local = toPhotoRecord({
      ...realPhoto,
      url_z: 'http://127.0.0.1:4010/65535/49519541267_a1b2c3d4e5_z.jpg',
      url_l: undefined,
      url_o: undefined,
    });
    expect(local.urlM).toBe('http://127.0.0.1:4010/65535/49519541267_a1b2c3d4e5.jpg');
  });

  it('accepts datetakengranularity as a string and hidden originals', () => {
    const { o_width, o_height, url_o, originalsecret, ...hidden } = realPhoto;
    const p = toPhotoRecord({ ...hidden, datetakengranularity: '6', datetakenunknown: '1' });
    expect(p.dateTakenGranularity).toBe(6);
    expect(p.dateTakenUnknown).toBe(true);
    expect(p.originalWidth).toBeNull();
    expect(p.urlO).toBeNull();
    expect(p.sizes.o).toBeUndefined();
  });

  it('skips a malformed photo with its reason instead of failing the page', () => {
    const page = parseSearchPage({
      photos: {
        page: 1,
        pages: 1,
        perpage: 500,
        total: '2',
        photo: [realPhoto, { ...realPhoto, id: '7', dateupload: 'yesterday' }],
      },
      stat: 'ok',
    });
    expect(page.photos).toHaveLength(1);
    expect(page.skipped).toEqual([{ id: '7', reason: expect.stringContaining('dateupload') }]);
  });

  it('rejects a failed or malformed envelope', () => {
    expect(() =>
      parseSearchPage({ stat: 'fail', code: 105, message: 'Service currently unavailable' }),
    ).toThrow();
    expect(() => parseSearchPage({ photos: { page: 1 }, stat: 'ok' })).toThrow();
  });

  it('nulls impossible taken dates', () => {
    expect(parseDateTaken('0000-00-00 00:00:00')).toBeNull();
    expect(parseDateTaken('2019-02-30 10:00:00')).toBeNull();
    expect(parseDateTaken('2019-02-28 10:00:00')).toBe('2019-02-28 10:00:00');
  });
});
