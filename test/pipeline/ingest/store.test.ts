import { describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import {
  recomputeAccountRanks,
  recountAccountPhotos,
  topAccountsByRank,
} from '../../../lib/queries/accounts.ts';
import { upsertPhotosPage } from '../../../lib/queries/ingest.ts';
import type { PhotoRecord } from '../../../lib/domain/photoRecord.ts';
import { halves, initialWindows, mustSplit } from '../../../pipeline/ingest/windows.ts';
import { useTestDatabase } from '../../helpers/db.ts';

useTestDatabase();

const photo = (id: string, owner: string, extra: Partial<PhotoRecord> = {}): PhotoRecord => ({
  id,
  ownerNsid: owner,
  ownerName: `name of ${owner}`,
  secret: 'abc',
  server: '65535',
  farm: 66,
  title: 't',
  description: 'Fish &amp; chips',
  tags: 'a b',
  license: 9,
  dateUpload: new Date('2020-02-10T07:16:51Z'),
  dateTaken: '2019-12-31 23:59:58',
  dateTakenGranularity: 0,
  dateTakenUnknown: false,
  originalWidth: 4000,
  originalHeight: 3000,
  originalFormat: 'jpg',
  originalSecret: 'def',
  urlO: 'http://h/o.jpg',
  urlB: 'http://h/b.jpg',
  urlC: null,
  urlZ: null,
  urlM: 'http://h/m.jpg',
  sizes: { o: [4000, 3000], b: [1024, 768] },
  views: 5,
  ...extra,
});

describe('photo and account storage', () => {
  it('upserts a page in one statement, once per id, creating accounts', async () => {
    await upsertPhotosPage([
      photo('1', 'a@N01'),
      photo('2', 'a@N01'),
      photo('1', 'a@N01', { title: 'again' }),
      photo('3', 'b@N01'),
    ]);
    const rows = await db().photo.findMany({ orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.id)).toEqual(['1', '2', '3']);
    expect(rows[0]).toMatchObject({
      title: 'again',
      description: 'Fish &amp; chips',
      sizes: { o: [4000, 3000], b: [1024, 768] },
      dateTaken: new Date('2019-12-31T23:59:58Z'),
    });
    expect(
      await db().account.findMany({ orderBy: { nsid: 'asc' }, select: { nsid: true, username: true } }),
    ).toEqual([
      { nsid: 'a@N01', username: 'name of a@N01' },
      { nsid: 'b@N01', username: 'name of b@N01' },
    ]);
  });

  it('updates metadata on a re-crawl but never the fetch-stage columns', async () => {
    await db().photo.update({
      where: { id: '2' },
      data: { availability: 'available', contentHash: 'h', imageWidth: 10 },
    });
    await upsertPhotosPage([photo('2', 'a@N01', { title: 'renamed', views: 9 })]);
    expect(await db().photo.findUnique({ where: { id: '2' } })).toMatchObject({
      title: 'renamed',
      views: 9,
      availability: 'available',
      contentHash: 'h',
      imageWidth: 10,
    });
  });

  it('keeps counts and ranks: rank 1 has most photos, ties broken by nsid', async () => {
    await upsertPhotosPage([photo('4', 'c@N01'), photo('5', 'c@N01'), photo('6', 'c@N01')]);
    await recountAccountPhotos();
    await recomputeAccountRanks();
    expect(await topAccountsByRank(10)).toEqual([
      { nsid: 'c@N01', username: 'name of c@N01', photoCount: 3, rank: 1 },
      { nsid: 'a@N01', username: 'name of a@N01', photoCount: 2, rank: 2 },
      { nsid: 'b@N01', username: 'name of b@N01', photoCount: 1, rank: 3 },
    ]);
    await upsertPhotosPage([photo('7', 'b@N01')]);
    await recountAccountPhotos(['b@N01']);
    await recomputeAccountRanks();
    expect((await topAccountsByRank(2)).map((a) => [a.nsid, a.rank])).toEqual([
      ['c@N01', 1],
      ['a@N01', 2],
    ]);
  });
});

describe('page upsert encoding and concurrency', () => {
  it('stores awkward values exactly: quotes, backslashes, braces, line breaks, non-Latin text, nulls, old dates, int bounds', async () => {
    const awkward = photo('900', 'q@N01', {
      ownerName: 'Zoë "Q" \\ {x,y}',
      title: 'He said "NULL", {a,b} \\n',
      description: 'line 1\n\tline 2 \u{1F600} Ünïcödé 写真',
      tags: '',
      farm: null,
      dateUpload: new Date('1999-12-31T23:59:59Z'),
      dateTaken: '1850-06-15 12:30:45',
      dateTakenUnknown: true,
      originalFormat: null,
      originalSecret: null,
      urlO: null,
      urlB: null,
      sizes: {},
      views: 2_147_483_647,
      originalWidth: 0,
    });
    expect(
      await upsertPhotosPage([
        awkward,
        photo('901', 'q@N01', { ownerName: null, title: 'NULL', dateTaken: null, views: null }),
      ]),
    ).toBe(2);
    const [a, b] = await db().photo.findMany({ where: { ownerNsid: 'q@N01' }, orderBy: { id: 'asc' } });
    expect(a).toMatchObject({
      title: awkward.title,
      description: awkward.description,
      tags: '',
      farm: null,
      dateUpload: new Date('1999-12-31T23:59:59Z'),
      dateTaken: new Date('1850-06-15T12:30:45Z'),
      dateTakenUnknown: true,
      dateTakenGranularity: 0,
      originalFormat: null,
      urlO: null,
      urlM: 'http://h/m.jpg',
      sizes: {},
      views: 2_147_483_647,
      originalWidth: 0,
      license: 9,
      secret: 'abc',
      server: '65535',
    });
    expect(b).toMatchObject({
      title: 'NULL',
      dateTaken: null,
      views: null,
      dateTakenUnknown: false,
      sizes: { o: [4000, 3000], b: [1024, 768] },
    });
    expect(await db().account.findUnique({ where: { nsid: 'q@N01' }, select: { username: true } })).toEqual({
      username: awkward.ownerName,
    });
  });

  it('leaves unchanged rows alone and keeps a known owner name when a page omits it', async () => {
    const page = [photo('910', 'r@N01', { ownerName: null }), photo('911', 'r@N01', { ownerName: null })];
    expect(await upsertPhotosPage(page)).toBe(2);
    expect(await upsertPhotosPage(page)).toBe(0);
    expect((await db().account.findUnique({ where: { nsid: 'r@N01' } }))?.username).toBeNull();
    expect(await upsertPhotosPage([photo('910', 'r@N01', { ownerName: 'Rita' })])).toBe(0);
    const named = await db().account.findUnique({ where: { nsid: 'r@N01' } });
    expect(named?.username).toBe('Rita');
    await upsertPhotosPage(page);
    await upsertPhotosPage([photo('910', 'r@N01', { ownerName: 'Rita' })]);
    expect(await db().account.findUnique({ where: { nsid: 'r@N01' } })).toEqual(named);
  });

  it('stores concurrent pages that share new owners in different orders without deadlocking', async () => {
    const owners = Array.from({ length: 30 }, (_, i) => `s${String(i).padStart(2, '0')}@N01`);
    // Each page lists its photos (and so its owners) in its own order: unsorted, these pages lock accounts crosswise.
    const pages = Array.from({ length: 8 }, (_, k) =>
      Array.from({ length: 60 }, (_, i) => {
        const j = k % 2 ? 59 - i : (i * 7 + k) % 60;
        return photo(`${2000 + k * 100 + j}`, owners[(j + k * 11) % owners.length]);
      }),
    );
    for (let round = 0; round < 3; round++) {
      await db().$executeRawUnsafe(`DELETE FROM photos WHERE owner_nsid LIKE 's%@N01'`);
      await db().$executeRawUnsafe(`DELETE FROM accounts WHERE nsid LIKE 's%@N01'`);
      expect(await Promise.all(pages.map((p) => upsertPhotosPage(p)))).toEqual(pages.map(() => 60));
    }
    expect(await db().photo.count({ where: { ownerNsid: { in: owners } } })).toBe(480);
    expect(await db().account.count({ where: { nsid: { in: owners } } })).toBe(30);
  });
});

describe('windows', () => {
  it('cuts a range into inclusive windows and halves them without gaps or overlaps', () => {
    expect(initialWindows(0, 249, 100)).toEqual([
      { minUpload: 0, maxUpload: 99 },
      { minUpload: 100, maxUpload: 199 },
      { minUpload: 200, maxUpload: 249 },
    ]);
    expect(halves({ minUpload: 0, maxUpload: 99 })).toEqual([
      { minUpload: 0, maxUpload: 49 },
      { minUpload: 50, maxUpload: 99 },
    ]);
    expect(mustSplit({ minUpload: 0, maxUpload: 99 }, 3001, 3000, 60)).toBe(true);
    expect(mustSplit({ minUpload: 0, maxUpload: 59 }, 9999, 3000, 60)).toBe(false);
    expect(mustSplit({ minUpload: 0, maxUpload: 99 }, 3000, 3000, 60)).toBe(false);
  });
});
