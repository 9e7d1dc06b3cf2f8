import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { listCheckPhotos, listCheckSummaries, overridePhotos } from '../../../lib/queries/overrides.ts';
import { getPhotoDetail, photoInclusion } from '../../../lib/queries/photos.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { addCheck, makeAccounts, makeUser } from './reviewFixtures.ts';

useTestDatabase();
const LICENSES = [7, 8, 9, 10];
let alice = '';

beforeEach(async () => {
  await db().$executeRawUnsafe(
    'TRUNCATE account_decisions, overrides, check_results, photos, accounts, users CASCADE',
  );
  alice = await makeUser('alice');
  await makeAccounts(2, 5);
  await addCheck('a0p0', 'clip_nonphoto', 'fail', 0.97, {
    top: [{ class: 'illustration', p: 0.8, flagged: true }],
  });
  await addCheck('a0p1', 'clip_nonphoto', 'uncertain', 0.55);
  await addCheck('a1p0', 'clip_nonphoto', 'fail', 0.91);
  await addCheck('a1p1', 'clip_nonphoto', 'pass', 0.02);
  await addCheck('a1p2', 'duplicate', 'fail', 1, { distance: 2 });
  await db().photo.update({ where: { id: 'a1p2' }, data: { duplicateOfId: 'a0p4' } });
});

describe('check review', () => {
  it('counts each check’s fails and doubts and lists them by score with their evidence', async () => {
    const summaries = await listCheckSummaries();
    // 10 fetched photos, 4 with a CLIP non-photo result: 6 not yet scored, so a partial run never reads as "all clear".
    expect(summaries.find((s) => s.check === 'clip_nonphoto')).toEqual({
      check: 'clip_nonphoto',
      fail: 2,
      uncertain: 1,
      error: 0,
      overridden: 0,
      notScored: 6,
    });
    const page = await listCheckPhotos('clip_nonphoto', { page: 1, pageSize: 10 });
    expect(page.total).toBe(3);
    expect(page.data.map((p) => p.photoId)).toEqual(['a0p0', 'a1p0', 'a0p1']);
    expect(page.data[0].details).toEqual({ top: [{ class: 'illustration', p: 0.8, flagged: true }] });
    const filtered = await listCheckPhotos('clip_nonphoto', {
      account: 'a1@N01',
      minScore: 0.5,
      page: 1,
      pageSize: 10,
    });
    expect(filtered.data.map((p) => p.photoId)).toEqual(['a1p0']);
    const dup = await listCheckPhotos('duplicate', { page: 1, pageSize: 10 });
    expect(dup.data[0].duplicateOf).toEqual({ id: 'a0p4', contentHash: 'a0h4', ownerNsid: 'a0@N01' });
  });

  it('counts the photos each check has yet to judge: unfetched photos wait for CLIP, small accounts never wait for watermarks', async () => {
    await db().photo.update({ where: { id: 'a0p3' }, data: { contentHash: null, availability: 'unknown' } });
    const before = new Map(
      (await listCheckSummaries({ watermarkMinPhotos: 5 })).map((s) => [s.check, s.notScored]),
    );
    expect(before.get('clip_nonphoto')).toBe(5); // 9 fetched, 4 judged
    expect(before.get('clip_nonwholesome')).toBe(9);
    expect(before.get('resolution')).toBe(10); // analysis checks judge every photo, fetched or not
    expect(before.get('watermark')).toBe(5); // a1 has 5 fetched photos; a0 only 4, below the minimum
    await db().accountCheckResult.create({
      data: { accountNsid: 'a1@N01', check: 'watermark', verdict: 'pass', version: 'v1' },
    });
    const after = new Map(
      (await listCheckSummaries({ watermarkMinPhotos: 5 })).map((s) => [s.check, s.notScored]),
    );
    expect(after.get('watermark')).toBe(0);
    expect(after.get('border')).toBe(0);
  });

  it('an override changes the effective verdict and the photo’s inclusion, records the old verdict, and is idempotent', async () => {
    expect((await photoInclusion(['a0p0'], LICENSES)).get('a0p0')).toEqual(['check:clip_nonphoto']);
    const input = {
      userId: alice,
      photoIds: ['a0p0', 'a1p0', 'nope'],
      check: 'clip_nonphoto' as const,
      newVerdict: 'pass' as const,
      reason: 'a photo of a mural',
      requestId: 'r1',
    };
    const res = await overridePhotos(input);
    expect(res.overridden).toEqual([
      { photoId: 'a0p0', oldVerdict: 'fail', newVerdict: 'pass' },
      { photoId: 'a1p0', oldVerdict: 'fail', newVerdict: 'pass' },
    ]);
    expect(res.skipped).toEqual(['nope']);
    expect(await overridePhotos(input)).toEqual(res);
    expect(await db().override.count()).toBe(2);
    expect((await photoInclusion(['a0p0'], LICENSES)).get('a0p0')).toEqual([]);

    await overridePhotos({ ...input, photoIds: ['a0p0'], newVerdict: 'fail', requestId: 'r2' });
    const detail = await getPhotoDetail('a0p0', LICENSES);
    expect(detail.inclusion).toEqual({ included: false, reasons: ['check:clip_nonphoto'] });
    expect(detail.checks[0]).toMatchObject({ check: 'clip_nonphoto', verdict: 'fail', effective: 'fail' });
    expect(detail.overrides.map((o) => [o.oldVerdict, o.newVerdict, o.by])).toEqual([
      ['pass', 'fail', 'alice'],
      ['fail', 'pass', 'alice'],
    ]);
    expect(detail.photo.flickrUrl).toBe('https://www.flickr.com/photos/a0%40N01/a0p0');

    const open = await listCheckPhotos('clip_nonphoto', { status: 'open', page: 1, pageSize: 10 });
    expect(open.data.map((p) => p.photoId)).toEqual(['a0p1']);
    const overridden = await listCheckPhotos('clip_nonphoto', {
      status: 'overridden',
      page: 1,
      pageSize: 10,
    });
    expect(overridden.data.map((p) => [p.photoId, p.effective, p.override?.by])).toEqual([
      ['a0p0', 'fail', 'alice'],
      ['a1p0', 'pass', 'alice'],
    ]);
  });

  it('a request sent twice at once (a retry racing the first) is recorded once and both get its answer', async () => {
    await addCheck('a0p3', 'border', 'fail', 0.8);
    await addCheck('a0p4', 'border', 'uncertain', 0.5);
    const raced = {
      userId: alice,
      photoIds: ['a0p4', 'a0p3'],
      check: 'border' as const,
      newVerdict: 'pass' as const,
      requestId: 'r-race',
    };
    const [x, y] = await Promise.all([overridePhotos(raced), overridePhotos(raced)]);
    expect(x).toEqual(y);
    expect(x.overridden).toEqual([
      { photoId: 'a0p3', oldVerdict: 'fail', newVerdict: 'pass' },
      { photoId: 'a0p4', oldVerdict: 'uncertain', newVerdict: 'pass' },
    ]);
    expect(await db().override.count({ where: { requestId: { startsWith: 'r-race:' } } })).toBe(2);
  });
  it('a 1,000-row page (read in parts side by side) lists every match in score order with its override in force', async () => {
    await makeAccounts(4, 150, 'b');
    // 600 fails with distinct scores, in no order of photo id; every 7th overridden to uncertain (still listed).
    const ids = Array.from({ length: 600 }, (_, k) => `b${k % 4}p${Math.floor(k / 4)}`);
    await db().$executeRaw`
      INSERT INTO check_results (photo_id, "check", verdict, score, version, details)
      SELECT id, 'border', 'fail', ((k * 7919) % 600) / 1000.0 + 0.3, 'v', '{}'::jsonb
      FROM unnest(${ids}::text[]) WITH ORDINALITY AS t(id, k)`;
    const overridden = ids.filter((_, k) => k % 7 === 0);
    await overridePhotos({
      userId: alice,
      photoIds: overridden,
      check: 'border',
      newVerdict: 'uncertain',
      requestId: 'big-page',
    });
    const expected = await db().$queryRaw<{ photo_id: string }[]>`
      SELECT photo_id FROM check_results WHERE "check" = 'border' ORDER BY score DESC, photo_id`;
    const page = await listCheckPhotos('border', { page: 1, pageSize: 1000 });
    expect(page.total).toBe(600);
    expect(page.data.map((p) => p.photoId)).toEqual(expected.map((r) => r.photo_id));
    const o = new Set(overridden);
    for (const p of page.data) {
      expect([p.photoId, p.effective, p.override?.verdict ?? null, p.override?.by ?? null]).toEqual(
        o.has(p.photoId) ? [p.photoId, 'uncertain', 'uncertain', 'alice'] : [p.photoId, 'fail', null, null],
      );
    }
    // A deeper page of the same listing starts where the first one's 250th row ends.
    const second = await listCheckPhotos('border', { page: 2, pageSize: 250 });
    expect(second.data.map((p) => p.photoId)).toEqual(expected.slice(250, 500).map((r) => r.photo_id));
  });
});
