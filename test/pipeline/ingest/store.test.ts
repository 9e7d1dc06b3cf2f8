import { describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { recomputeAccountRanks, recountAccountPhotos, topAccountsByRank } from '../../../lib/queries/accounts.ts';
import { upsertPhotosPage } from '../../../lib/queries/ingest.ts';
import type { PhotoRecord } from '../../../pipeline/flickr/types.ts';
import { halves, initialWindows, mustSplit } from '../../../pipeline/ingest/windows.ts';
import { useTestDatabase } from '../../helpers/db.ts';

useTestDatabase();

const photo = (id: string, owner: string, extra: Partial<PhotoRecord> = {}): PhotoRecord => ({
  id, ownerNsid: owner, ownerName: `name of ${owner}`, secret: 'abc', server: '65535', farm: 66, title: 't', description: 'Fish &amp; chips',
  tags: 'a b', license: 9, dateUpload: new Date('2020-02-10T07:16:51Z'), dateTaken: '2019-12-31 23:59:58', dateTakenGranularity: 0,
  dateTakenUnknown: false, originalWidth: 4000, originalHeight: 3000, originalFormat: 'jpg', originalSecret: 'def', urlO: 'http://h/o.jpg',
  urlB: 'http://h/b.jpg', urlC: null, urlZ: null, urlM: 'http://h/m.jpg', sizes: { o: [4000, 3000], b: [1024, 768] }, views: 5, ...extra,
});

describe('photo and account storage', () => {
  it('upserts a page in one statement, once per id, creating accounts', async () => {
    await upsertPhotosPage([photo('1', 'a@N01'), photo('2', 'a@N01'), photo('1', 'a@N01', { title: 'again' }), photo('3', 'b@N01')]);
    const rows = await db().photo.findMany({ orderBy: { id: 'asc' } });
    expect(rows.map((r) => r.id)).toEqual(['1', '2', '3']);
    expect(rows[0]).toMatchObject({ title: 'again', description: 'Fish &amp; chips', sizes: { o: [4000, 3000], b: [1024, 768] }, dateTaken: new Date('2019-12-31T23:59:58Z') });
    expect(await db().account.findMany({ orderBy: { nsid: 'asc' }, select: { nsid: true, username: true } })).toEqual([
      { nsid: 'a@N01', username: 'name of a@N01' }, { nsid: 'b@N01', username: 'name of b@N01' },
    ]);
  });

  it('updates metadata on a re-crawl but never the fetch-stage columns', async () => {
    await db().photo.update({ where: { id: '2' }, data: { availability: 'available', contentHash: 'h', imageWidth: 10 } });
    await upsertPhotosPage([photo('2', 'a@N01', { title: 'renamed', views: 9 })]);
    expect(await db().photo.findUnique({ where: { id: '2' } })).toMatchObject({ title: 'renamed', views: 9, availability: 'available', contentHash: 'h', imageWidth: 10 });
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
    expect((await topAccountsByRank(2)).map((a) => [a.nsid, a.rank])).toEqual([['c@N01', 1], ['a@N01', 2]]);
  });
});

describe('windows', () => {
  it('cuts a range into inclusive windows and halves them without gaps or overlaps', () => {
    expect(initialWindows(0, 249, 100)).toEqual([{ minUpload: 0, maxUpload: 99 }, { minUpload: 100, maxUpload: 199 }, { minUpload: 200, maxUpload: 249 }]);
    expect(halves({ minUpload: 0, maxUpload: 99 })).toEqual([{ minUpload: 0, maxUpload: 49 }, { minUpload: 50, maxUpload: 99 }]);
    expect(mustSplit({ minUpload: 0, maxUpload: 99 }, 3001, 3000, 60)).toBe(true);
    expect(mustSplit({ minUpload: 0, maxUpload: 59 }, 9999, 3000, 60)).toBe(false);
    expect(mustSplit({ minUpload: 0, maxUpload: 99 }, 3000, 3000, 60)).toBe(false);
  });
});
