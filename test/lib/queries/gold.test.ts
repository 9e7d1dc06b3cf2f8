import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { decideAccount, listAccountDecisions, undoDecision } from '../../../lib/queries/decisions.ts';
import { goldAccuracy, setGoldAnswer } from '../../../lib/queries/gold.ts';
import { acquireLease, claimNextAccount, getAccountReview } from '../../../lib/queries/review.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { makeAccounts, makeUser } from './reviewFixtures.ts';

useTestDatabase();
let alice = '',
  bob = '';
let nsids: string[] = [];
let n = 0;
const rid = () => `gold-${++n}-${Date.now()}`;
const decide = (nsid: string, userId: string, decision: 'approve' | 'reject', reason: string | null = null) =>
  decideAccount({ nsid, userId, decision, reason, requestId: rid(), expectedStatus: 'pending' });

beforeEach(async () => {
  await db().$executeRawUnsafe(
    'TRUNCATE account_decisions, overrides, check_results, photos, accounts, users CASCADE',
  );
  alice = await makeUser('alice');
  bob = await makeUser('bob');
  nsids = await makeAccounts(6);
  // A known-answer account that was rejected for real, ranked last.
  await db().account.update({
    where: { nsid: nsids[5] },
    data: { reviewStatus: 'rejected', reviewReason: 'watermarks' },
  });
  await setGoldAnswer(nsids[5], 'reject', 'watermarks');
});

describe('known-answer accounts', () => {
  it('are served at the gold rate, look pending, score the reviewer and never change the account', async () => {
    expect((await claimNextAccount(alice, 'rank', { topN: 6, leaseMinutes: 10, goldRate: 1 }))?.nsid).toBe(
      nsids[5],
    );
    expect((await acquireLease(nsids[5], alice, 10)).status).toBe('pending');
    const page = await getAccountReview(nsids[5], alice, {
      sampleSize: 0,
      flaggedCap: 0,
      viewerRole: 'reviewer',
    });
    expect(page.account).toMatchObject({ reviewStatus: 'pending', reviewReason: null, gold: null });
    expect(
      (await getAccountReview(nsids[5], alice, { sampleSize: 0, flaggedCap: 0, viewerRole: 'admin' })).account
        .gold,
    ).toEqual({ answer: 'reject', reason: 'watermarks' });

    const r = await decide(nsids[5], alice, 'approve');
    expect(r.account.reviewStatus).toBe('pending');
    expect(
      await db().account.findUniqueOrThrow({
        where: { nsid: nsids[5] },
        select: { reviewStatus: true, reviewReason: true },
      }),
    ).toEqual({ reviewStatus: 'rejected', reviewReason: 'watermarks' });
    // Answered: not served to alice again (rate 1 falls through to the queue), but bob gets it.
    expect((await claimNextAccount(alice, 'rank', { topN: 6, leaseMinutes: 10, goldRate: 1 }))?.nsid).toBe(
      nsids[0],
    );
    expect((await claimNextAccount(bob, 'rank', { topN: 6, leaseMinutes: 10, goldRate: 1 }))?.nsid).toBe(
      nsids[5],
    );
    await decide(nsids[5], bob, 'reject', 'watermarks');
    // At rate 0 it never comes, and the normal queue never holds it.
    expect((await claimNextAccount(bob, 'rank', { topN: 6, leaseMinutes: 10, goldRate: 0 }))?.nsid).toBe(
      nsids[1],
    );

    const score = await goldAccuracy();
    expect(score.accounts).toBe(1);
    expect(score.reviewers.map((s) => [s.name, s.accuracy.count, s.accuracy.n])).toEqual([
      ['alice', 0, 1],
      ['bob', 1, 1],
    ]);
    expect(score.reviewers[1].reasonAccuracy).toMatchObject({ count: 1, n: 1 });
    expect(score.reviewers[1].accuracy.low).toBeGreaterThan(0);
    expect(await listAccountDecisions(nsids[5], 20, { id: bob, role: 'reviewer' })).toHaveLength(1);
  });

  it('an answer can be undone and given again without touching the account', async () => {
    await acquireLease(nsids[5], alice, 10);
    await decide(nsids[5], alice, 'approve');
    await decide(nsids[0], bob, 'approve');
    const undone = await undoDecision({ userId: alice, requestId: rid(), leaseMinutes: 10 });
    // The response shows the account as the reviewer saw it, never its real (rejected) status.
    expect(undone.account).toEqual({ nsid: nsids[5], reviewStatus: 'pending', reviewReason: null });
    expect(
      await db().account.findUniqueOrThrow({
        where: { nsid: nsids[5] },
        select: { reviewStatus: true, leaseUserId: true },
      }),
    ).toEqual({ reviewStatus: 'rejected', leaseUserId: alice });
    await decide(nsids[5], alice, 'reject', 'watermarks');
    expect((await goldAccuracy()).reviewers.map((s) => [s.name, s.accuracy.count, s.accuracy.n])).toEqual([
      ['alice', 1, 1],
    ]);
  });

  it('refuses a second standing answer from the same reviewer, and any answer from an admin', async () => {
    await acquireLease(nsids[5], alice, 10);
    const answer = {
      nsid: nsids[5],
      userId: alice,
      decision: 'approve' as const,
      expectedStatus: 'pending' as const,
    };
    const first = await decideAccount({ ...answer, requestId: 'gold-first' });
    // The same request again (a retry) is the first answer, not a refusal.
    expect((await decideAccount({ ...answer, requestId: 'gold-first' })).decision.id).toBe(first.decision.id);
    await expect(decide(nsids[5], alice, 'reject', 'watermarks')).rejects.toMatchObject({
      status: 409,
      message: expect.stringMatching(/already answered this known-answer account/),
    });
    const admin = await db().user.create({
      data: { email: 'root@t.test', name: 'root', passwordHash: 'x', role: 'admin' },
    });
    await expect(decide(nsids[5], admin.id, 'approve')).rejects.toMatchObject({
      status: 403,
      message: expect.stringMatching(/Admins do not answer known-answer accounts/),
    });
    // Nor is it offered to them: no lease, and the claim never serves it (rate 1 falls through to the queue).
    expect(await acquireLease(nsids[5], admin.id, 10)).toMatchObject({
      held: false,
      waiting: 'known_answer_admin',
    });
    expect((await claimNextAccount(admin.id, 'rank', { topN: 6, leaseMinutes: 10, goldRate: 1 }))?.nsid).toBe(
      nsids[0],
    );
    const answers = await db().accountDecision.findMany({ where: { accountNsid: nsids[5], round: 4 } });
    expect(answers.map((a) => [a.userId, a.decision])).toEqual([[alice, 'approve']]);
    expect((await goldAccuracy()).reviewers.map((s) => [s.name, s.accuracy.n])).toEqual([['alice', 1]]);
  });
});
