import { beforeEach, describe, expect, it } from 'vitest';
import { db, Prisma } from '../../../lib/db.ts';
import { ConflictError } from '../../../lib/errors.ts';
import { decideAccount, listAccountDecisions, undoDecision } from '../../../lib/queries/decisions.ts';
import { adjudicateAccount, drawnSql, reopenAccount } from '../../../lib/queries/doubleReview.ts';
import { claimNextAccount } from '../../../lib/queries/review.ts';
import { getReviewQuality } from '../../../lib/queries/reviewQuality.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { makeAccounts, makeUser } from './reviewFixtures.ts';

useTestDatabase();
const all = { share: 1, topN: 5 };
const opts = { topN: 5, leaseMinutes: 10 };
let alice = '',
  bob = '',
  admin = '';
let nsids: string[] = [];
let n = 0;
const rid = () => `req-${++n}-${Date.now()}`;

const decide = (
  nsid: string,
  userId: string,
  decision: 'approve' | 'reject',
  reason: string | null = null,
  doubleReview = all,
) =>
  decideAccount({
    nsid,
    userId,
    decision,
    reason,
    requestId: rid(),
    expectedStatus: 'pending',
    doubleReview,
  });
const state = (nsid: string) =>
  db().account.findUniqueOrThrow({
    where: { nsid },
    select: { reviewStatus: true, reviewReason: true, qcStage: true },
  });

beforeEach(async () => {
  await db().$executeRawUnsafe(
    'TRUNCATE account_decisions, overrides, check_results, photos, accounts, users CASCADE',
  );
  alice = await makeUser('alice');
  bob = await makeUser('bob');
  admin = await makeUser('admin');
  await db().user.update({ where: { id: admin }, data: { role: 'admin' } });
  nsids = await makeAccounts(6);
});

describe('blind double review', () => {
  it('disagreeing reviews wait for an admin, the second reviewer never sees the first, and all three decisions stay', async () => {
    const first = await decide(nsids[0], alice, 'approve');
    expect(first.account.reviewStatus).toBe('pending');
    expect(await state(nsids[0])).toMatchObject({ reviewStatus: 'pending', qcStage: 'second' });
    // The first reviewer is never handed it again, nor may decide it twice; someone else is, blind.
    expect((await claimNextAccount(alice, 'rank', opts))?.nsid).toBe(nsids[1]);
    await expect(decide(nsids[0], alice, 'reject', 'watermarks')).rejects.toMatchObject({
      details: { code: 'already_reviewed' },
    });
    expect((await claimNextAccount(bob, 'rank', opts))?.nsid).toBe(nsids[0]);
    expect(await listAccountDecisions(nsids[0], 20, { id: bob, role: 'reviewer' })).toEqual([]);

    await decide(nsids[0], bob, 'reject', 'watermarks');
    expect(await state(nsids[0])).toMatchObject({ reviewStatus: 'pending', qcStage: 'adjudication' });
    await expect(decide(nsids[0], bob, 'approve')).rejects.toBeInstanceOf(ConflictError);
    const q = await getReviewQuality(all);
    expect(q.adjudication.map((a) => [a.nsid, a.reviews.map((r) => `${r.userName}:${r.decision}`)])).toEqual([
      [nsids[0], ['alice:approve', 'bob:reject']],
    ]);
    expect(q.overall.decision).toMatchObject({ n: 1, percent: 0 });
    expect(q.pairs.map((p) => [p.a, p.b, p.decision.n])).toEqual([['alice', 'bob', 1]]);

    await adjudicateAccount({
      nsid: nsids[0],
      userId: admin,
      decision: 'reject',
      reason: 'watermarks',
      requestId: rid(),
    });
    expect(await state(nsids[0])).toMatchObject({
      reviewStatus: 'rejected',
      reviewReason: 'watermarks',
      qcStage: 'none',
    });
    expect((await listAccountDecisions(nsids[0])).map((d) => [d.decision, d.round]).reverse()).toEqual([
      ['approve', 1],
      ['reject', 2],
      ['reject', 3],
    ]);
    expect((await getReviewQuality(all)).adjudication).toEqual([]);
    await expect(
      adjudicateAccount({ nsid: nsids[0], userId: admin, decision: 'approve', requestId: rid() }),
    ).rejects.toMatchObject({ details: { code: 'not_in_adjudication' } });
  });

  it('agreeing reviews set the status at once and count towards agreement and kappa', async () => {
    await decide(nsids[0], alice, 'approve');
    await decide(nsids[0], bob, 'approve');
    await decide(nsids[1], alice, 'reject', 'watermarks');
    await decide(nsids[1], bob, 'reject', 'copyright');
    await decide(nsids[2], bob, 'approve');
    await decide(nsids[2], alice, 'reject', 'watermarks');
    expect(await state(nsids[0])).toMatchObject({ reviewStatus: 'approved', qcStage: 'none' });
    // Both rejected: the account is rejected; the first reviewer's reason stands, and the reasons' disagreement is measured.
    expect(await state(nsids[1])).toMatchObject({
      reviewStatus: 'rejected',
      reviewReason: 'watermarks',
      qcStage: 'none',
    });
    const q = await getReviewQuality(all);
    expect(q.doubleReviewed).toBe(3);
    expect(q.overall.decision.percent).toBeCloseTo(2 / 3, 10);
    expect(q.overall.reason).toMatchObject({ n: 1, percent: 0 });
    expect(q.awaitingAdjudication).toBe(1);
  });

  it('undoing the second decision waits for a second review again; undoing the first starts over', async () => {
    await decide(nsids[0], alice, 'approve');
    await decide(nsids[0], bob, 'approve');
    await undoDecision({ userId: bob, requestId: rid(), leaseMinutes: 10 });
    expect(await state(nsids[0])).toMatchObject({ reviewStatus: 'pending', qcStage: 'second' });
    await decide(nsids[1], alice, 'reject', 'copyright');
    await undoDecision({ userId: alice, requestId: rid(), leaseMinutes: 10 });
    expect(await state(nsids[1])).toMatchObject({ reviewStatus: 'pending', qcStage: 'none' });
  });

  it('draws the same accounts every time, about the configured share of the top N, and none at share 0', async () => {
    const many = await makeAccounts(2000, 0, 'm');
    const drawn = async (share: number) =>
      (
        await db().$queryRaw<{ nsid: string }[]>(Prisma.sql`
      SELECT a.nsid FROM accounts a WHERE a.nsid LIKE 'm%' AND ${drawnSql({ share, topN: 3000 })} ORDER BY a.nsid`)
      ).map((r) => r.nsid);
    const once = await drawn(0.1);
    expect(await drawn(0.1)).toEqual(once);
    expect(once.length / many.length).toBeGreaterThan(0.08);
    expect(once.length / many.length).toBeLessThan(0.12);
    expect(await drawn(0)).toEqual([]);
    await decide(nsids[0], alice, 'approve', null, { share: 0, topN: 5 });
    expect(await state(nsids[0])).toMatchObject({ reviewStatus: 'approved', qcStage: 'none' });
  });
});

describe('send back', () => {
  it('returns a decided account to the queue with a reason, keeping every step in the history', async () => {
    await decide(nsids[0], alice, 'reject', 'watermarks', { share: 0, topN: 5 });
    await expect(
      reopenAccount({ nsid: nsids[1], userId: admin, reason: 'x', requestId: rid() }),
    ).rejects.toMatchObject({ details: { code: 'not_decided' } });
    await reopenAccount({
      nsid: nsids[0],
      userId: admin,
      reason: 'The watermark is the camera date',
      requestId: rid(),
    });
    expect(await state(nsids[0])).toMatchObject({
      reviewStatus: 'pending',
      reviewReason: null,
      qcStage: 'none',
    });
    expect((await claimNextAccount(bob, 'rank', opts))?.nsid).toBe(nsids[0]);
    const h = await listAccountDecisions(nsids[0]);
    expect(h.map((d) => [d.decision, d.note])).toEqual([
      ['reopen', 'The watermark is the camera date'],
      ['reject', null],
    ]);
    // The reject before the send-back is history: undoing a decision made after it does not bring it back.
    await decide(nsids[0], bob, 'approve', null, { share: 0, topN: 5 });
    await undoDecision({ userId: bob, requestId: rid(), leaseMinutes: 10 });
    expect(await state(nsids[0])).toMatchObject({ reviewStatus: 'pending' });
  });
});
