// Dashboard review progress: decided/total of the top accounts, by reviewer, pace and time left.
import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { getReviewProgress } from '../../../lib/queries/reviewProgress.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { makeAccounts, makeUser } from './reviewFixtures.ts';

useTestDatabase();

async function decide(
  nsid: string,
  userId: string,
  decision: 'approve' | 'reject',
  at: Date,
): Promise<bigint> {
  const d = await db().accountDecision.create({
    data: { accountNsid: nsid, userId, decision, createdAt: at },
  });
  await db().account.update({
    where: { nsid },
    data: { reviewStatus: decision === 'approve' ? 'approved' : 'rejected' },
  });
  return d.id;
}

beforeEach(async () => {
  await db().$executeRawUnsafe(
    'TRUNCATE account_decisions, overrides, check_results, photos, accounts, users CASCADE',
  );
});

describe('review progress', () => {
  it('counts the top accounts decided, by whom, and the pace per active hour, leaving out undone decisions', async () => {
    const alice = await makeUser('alice');
    const bob = await makeUser('bob');
    await makeAccounts(6, 1);
    const hour = new Date(Math.floor(Date.now() / 3_600_000) * 3_600_000 - 2 * 3_600_000);
    const later = new Date(hour.getTime() + 3_600_000 + 60_000);
    await decide('a0@N01', alice, 'approve', new Date(later.getTime() + 1000));
    await decide('a1@N01', alice, 'reject', new Date(later.getTime() + 2000));
    await decide('a2@N01', bob, 'approve', new Date(hour.getTime() + 1000));
    await decide('a5@N01', bob, 'reject', new Date(hour.getTime() + 2000)); // rank 6: outside the top 5, still pace
    // Alice decided a3 and then undid it: neither counts.
    const undone = await decide('a3@N01', alice, 'approve', new Date(later.getTime() + 3000));
    await db().accountDecision.create({
      data: {
        accountNsid: 'a3@N01',
        userId: alice,
        decision: 'undo',
        undoesId: undone,
        createdAt: new Date(later.getTime() + 4000),
      },
    });
    await db().account.update({ where: { nsid: 'a3@N01' }, data: { reviewStatus: 'pending' } });

    const p = await getReviewProgress(5);
    expect(p).toMatchObject({ topN: 5, total: 5, decided: 3, approved: 2, rejected: 1 });
    expect(p.reviewers).toEqual([
      { name: 'alice', decided: 2, perHour: 2 },
      { name: 'bob', decided: 1, perHour: 2 },
    ]);
    expect(p.perHour).toBe(2); // 4 standing decisions in 2 clock hours
    expect(p.hoursLeft).toBe(1); // 2 accounts left at 2 an hour
  });

  it('has no pace and no time left to show before the first decision', async () => {
    await makeAccounts(3, 1);
    expect(await getReviewProgress(10)).toMatchObject({
      total: 3,
      decided: 0,
      reviewers: [],
      perHour: null,
      hoursLeft: null,
    });
  });
});
