import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { ConflictError } from '../../../lib/errors.ts';
import {
  afterBatchesSettled,
  bulkOverride,
  listOverrideBatches,
  undoOverrideBatch,
} from '../../../lib/queries/overrideBatches.ts';
import { listCheckPhotos, listCheckSummaries, overridePhotos } from '../../../lib/queries/overrides.ts';
import { refreshFlagScores } from '../../../lib/queries/flagScores.ts';
import { photoInclusion } from '../../../lib/queries/photos.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { addCheck, makeAccounts, makeUser } from './reviewFixtures.ts';

useTestDatabase();
let alice = '',
  bob = '';
let n = 0;
const rid = () => `bulk-${++n}-${Date.now()}`;
const overriddenCount = async () =>
  (await listCheckSummaries()).find((s) => s.check === 'clip_nonphoto')?.overridden;
const effective = async () =>
  Object.fromEntries(
    (await listCheckPhotos('clip_nonphoto', { page: 1, pageSize: 100 })).data.map((p) => [
      p.photoId,
      p.effective,
    ]),
  );

beforeEach(async () => {
  await db().$executeRawUnsafe(
    'TRUNCATE account_decisions, overrides, override_batches, check_results, photos, accounts, users CASCADE',
  );
  alice = await makeUser('alice');
  bob = await makeUser('bob');
  await makeAccounts(3, 4);
  // 8 fails and 2 doubts over three accounts; the filter "fail" spans several pages of 3.
  for (const [id, v, s] of [
    ['a0p0', 'fail', 0.9],
    ['a0p1', 'fail', 0.8],
    ['a0p2', 'uncertain', 0.5],
    ['a1p0', 'fail', 0.95],
    ['a1p1', 'fail', 0.7],
    ['a1p2', 'fail', 0.75],
    ['a2p0', 'fail', 0.85],
    ['a2p1', 'fail', 0.65],
    ['a2p2', 'uncertain', 0.45],
    ['a2p3', 'fail', 0.99],
  ] as const) {
    await addCheck(id, 'clip_nonphoto', v, s);
  }
});

describe('bulk overrides over a filter', () => {
  it('overrides every match (not only the page) as one audited batch, and undoes it as one batch', async () => {
    expect((await listCheckPhotos('clip_nonphoto', { verdict: 'fail', page: 1, pageSize: 3 })).total).toBe(8);
    const batch = await bulkOverride({
      userId: alice,
      check: 'clip_nonphoto',
      filter: { verdict: 'fail' },
      newVerdict: 'pass',
      reason: 'drawings are fine here',
      expectedCount: 8,
      requestId: rid(),
    });
    expect(batch).toMatchObject({
      count: 8,
      userName: 'alice',
      newVerdict: 'pass',
      reason: 'drawings are fine here',
      filter: { verdict: 'fail' },
    });
    const rows = await db().override.findMany({ where: { batchId: batch.id } });
    expect(rows).toHaveLength(8);
    expect(new Set(rows.map((r) => r.oldVerdict))).toEqual(new Set(['fail']));
    expect(Object.values(await effective()).filter((v) => v === 'pass')).toHaveLength(8);
    expect((await photoInclusion(['a1p0'], [9])).get('a1p0')).not.toContain('check:clip_nonphoto');

    // Someone changes one photo after the batch: the undo leaves that later decision alone.
    await overridePhotos({
      userId: bob,
      photoIds: ['a2p3'],
      check: 'clip_nonphoto',
      newVerdict: 'fail',
      requestId: rid(),
    });
    const undo = await undoOverrideBatch({ userId: alice, batchId: batch.id, requestId: rid() });
    expect(undo).toMatchObject({ count: 7, undoesId: batch.id });
    const after = await effective();
    expect(
      Object.entries(after)
        .filter(([, v]) => v === 'fail')
        .map(([id]) => id)
        .sort(),
    ).toEqual(['a0p0', 'a0p1', 'a1p0', 'a1p1', 'a1p2', 'a2p0', 'a2p1', 'a2p3']);
    expect((await photoInclusion(['a1p0'], [9])).get('a1p0')).toContain('check:clip_nonphoto');
    await expect(
      undoOverrideBatch({ userId: alice, batchId: batch.id, requestId: rid() }),
    ).rejects.toMatchObject({ details: { code: 'already_undone' } });
    expect(
      (await listOverrideBatches('clip_nonphoto')).map((b) => [
        b.count,
        b.undoesId === batch.id,
        b.undoneBy === undo.id,
      ]),
    ).toEqual([
      [7, true, false],
      [8, false, true],
    ]);
  });

  it('writes nothing when the filter no longer matches the confirmed count, and answers a retried request once', async () => {
    await expect(
      bulkOverride({
        userId: alice,
        check: 'clip_nonphoto',
        filter: { verdict: 'fail', minScore: 0.8 },
        newVerdict: 'pass',
        expectedCount: 99,
        requestId: rid(),
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    expect(await db().override.count()).toBe(0);
    expect(await db().overrideBatch.count()).toBe(0);
    const requestId = rid();
    const first = await bulkOverride({
      userId: alice,
      check: 'clip_nonphoto',
      filter: { verdict: 'fail', minScore: 0.8 },
      newVerdict: 'pass',
      expectedCount: 5,
      requestId,
    });
    const again = await bulkOverride({
      userId: alice,
      check: 'clip_nonphoto',
      filter: { verdict: 'fail', minScore: 0.8 },
      newVerdict: 'pass',
      expectedCount: 5,
      requestId,
    });
    expect(again.id).toBe(first.id);
    expect(await db().override.count()).toBe(5);
    await expect(
      bulkOverride({
        userId: bob,
        check: 'clip_nonphoto',
        filter: {},
        newVerdict: 'fail',
        expectedCount: 10,
        requestId,
      }),
    ).rejects.toMatchObject({ details: { code: 'request_id_reused' } });
  });

  it('counts a photo as overridden on the checks page only while an override of it stands, not after its batch was undone', async () => {
    const bulk = (filter: { verdict: 'fail' }, newVerdict: 'pass' | 'fail', expectedCount: number) =>
      bulkOverride({
        userId: alice,
        check: 'clip_nonphoto',
        filter,
        newVerdict,
        expectedCount,
        requestId: rid(),
      });
    const a = await bulk({ verdict: 'fail' }, 'pass', 8);
    expect(await overriddenCount()).toBe(8);
    await overridePhotos({
      userId: bob,
      photoIds: ['a2p3'],
      check: 'clip_nonphoto',
      newVerdict: 'fail',
      requestId: rid(),
    });
    await undoOverrideBatch({ userId: alice, batchId: a.id, requestId: rid() });
    // Seven photos are back to their check's verdict; bob's later override of a2p3 stands.
    expect(await overriddenCount()).toBe(1);

    // A batch whose undo skipped every photo (a later batch changed them all) still stands once that later batch is
    // undone: its verdicts are in force again, so its photos count.
    const b = await bulk({ verdict: 'fail' }, 'pass', 8);
    const c = await bulk({ verdict: 'fail' }, 'fail', 8);
    expect((await undoOverrideBatch({ userId: alice, batchId: b.id, requestId: rid() })).count).toBe(0);
    await undoOverrideBatch({ userId: alice, batchId: c.id, requestId: rid() });
    expect(Object.values(await effective()).filter((v) => v === 'pass')).toHaveLength(8);
    expect(await overriddenCount()).toBe(8);
  });

  it('the check page’s Reviewed filter holds a photo only while an override of it stands, like the checks page’s count', async () => {
    const ids = async (status: 'open' | 'overridden') => {
      const page = await listCheckPhotos('clip_nonphoto', { status, page: 1, pageSize: 100 });
      expect(page.total).toBe(page.data.length);
      return page.data.map((p) => p.photoId).sort();
    };
    const bulk = (newVerdict: 'pass' | 'fail') =>
      bulkOverride({
        userId: alice,
        check: 'clip_nonphoto',
        filter: { verdict: 'fail' },
        newVerdict,
        expectedCount: 8,
        requestId: rid(),
      });
    const fails = ['a0p0', 'a0p1', 'a1p0', 'a1p1', 'a1p2', 'a2p0', 'a2p1', 'a2p3'];
    const a = await bulk('pass');
    expect(await ids('overridden')).toEqual(fails);
    expect(await ids('open')).toEqual(['a0p2', 'a2p2']);
    await overridePhotos({
      userId: bob,
      photoIds: ['a2p3'],
      check: 'clip_nonphoto',
      newVerdict: 'fail',
      requestId: rid(),
    });
    await undoOverrideBatch({ userId: alice, batchId: a.id, requestId: rid() });
    // The undone batch's photos are open again (nobody's verdict stands on them); bob's later override still does.
    expect(await ids('overridden')).toEqual(['a2p3']);
    expect(await ids('open')).toEqual([
      'a0p0',
      'a0p1',
      'a0p2',
      'a1p0',
      'a1p1',
      'a1p2',
      'a2p0',
      'a2p1',
      'a2p2',
    ]);
    expect(await overriddenCount()).toBe(1);

    // A batch whose undo skipped every photo stands again once the later batch that changed them is undone.
    const b = await bulk('pass');
    const c = await bulk('fail');
    expect((await undoOverrideBatch({ userId: alice, batchId: b.id, requestId: rid() })).count).toBe(0);
    await undoOverrideBatch({ userId: alice, batchId: c.id, requestId: rid() });
    expect(await ids('overridden')).toEqual(fails);
    expect(await overriddenCount()).toBe(8);
  });

  it('refreshes the accounts’ flag scores after answering, and afterBatchesSettled waits for that refresh', async () => {
    const score = async () => (await db().account.findUniqueOrThrow({ where: { nsid: 'a1@N01' } })).flagScore;
    await refreshFlagScores({ everyAccount: true });
    const before = await score();
    await bulkOverride({
      userId: alice,
      check: 'clip_nonphoto',
      filter: { verdict: 'fail' },
      newVerdict: 'pass',
      expectedCount: 8,
      requestId: rid(),
    });
    await afterBatchesSettled();
    // a1's three fails turned to pass: its expected share of rejections dropped.
    expect(await score()).toBeLessThan(before);
  });
});
