import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { ConflictError } from '../../../lib/errors.ts';
import { decideAccount, undoDecision } from '../../../lib/queries/decisions.ts';
import { setGoldAnswer } from '../../../lib/queries/gold.ts';
import {
  acquireLease,
  claimNextAccount,
  leaseAfterUndo,
  releaseAllLeases,
} from '../../../lib/queries/review.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { makeAccounts, makeUser } from './reviewFixtures.ts';

useTestDatabase();
let alice = '',
  bob = '';
let nsid = '';
let n = 0;
const rid = () => `reviewable-${++n}`;
const decide = (userId: string, decision: 'approve' | 'reject') =>
  decideAccount({
    nsid,
    userId,
    decision,
    reason: decision === 'reject' ? 'watermarks' : null,
    requestId: rid(),
    expectedStatus: 'pending',
  });
const setAccount = (data: Parameters<ReturnType<typeof db>['account']['update']>[0]['data']) =>
  db().account.update({ where: { nsid }, data });

beforeEach(async () => {
  await db().$executeRawUnsafe('TRUNCATE account_decisions, photos, accounts, users CASCADE');
  alice = await makeUser('alice');
  bob = await makeUser('bob');
  [nsid] = await makeAccounts(1);
});

/** Each account state alice may meet, and whether she may review it (the rule, in words, once more). */
const states: [string, boolean, () => Promise<unknown>][] = [
  ['pending', true, async () => {}],
  ['approved by bob', false, () => decide(bob, 'approve')],
  ['rejected by bob', false, () => decide(bob, 'reject')],
  [
    "a double review's second round, alice first",
    false,
    () => setAccount({ qcStage: 'second', firstReviewerId: alice }),
  ],
  [
    "a double review's second round, bob first",
    true,
    () => setAccount({ qcStage: 'second', firstReviewerId: bob }),
  ],
  ['waiting for adjudication', false, () => setAccount({ qcStage: 'adjudication' })],
  [
    'a known answer (really rejected), unanswered',
    true,
    async () => {
      await setAccount({ reviewStatus: 'rejected', reviewReason: 'watermarks' });
      await setGoldAnswer(nsid, 'reject', 'watermarks');
    },
  ],
  [
    'a known answer alice answered',
    false,
    async () => {
      await setGoldAnswer(nsid, 'approve', null);
      await decide(alice, 'approve');
    },
  ],
  [
    'a known answer bob answered',
    true,
    async () => {
      await setGoldAnswer(nsid, 'approve', null);
      await decide(bob, 'reject');
    },
  ],
  [
    'a known answer alice answered and undid',
    true,
    async () => {
      await setGoldAnswer(nsid, 'approve', null);
      await decide(alice, 'approve');
      await undoDecision({ userId: alice, requestId: rid(), leaseMinutes: 10 });
    },
  ],
];

describe('who may review an account: the claim, the page lease and the lease after an undo agree', () => {
  it.each(states)('%s', async (_name, reviewable, arrange) => {
    await arrange();
    await releaseAllLeases(alice);
    const claim = { topN: 10, leaseMinutes: 10, goldRate: 1 };
    // A claim of a free account, then one finding alice's own live lease on it (the claim's two ways in).
    const claimed = (await claimNextAccount(alice, 'rank', claim))?.nsid === nsid;
    await releaseAllLeases(alice);
    await setAccount({ leaseUserId: alice, leaseExpiresAt: new Date(Date.now() + 60_000) });
    const reclaimed = (await claimNextAccount(alice, 'rank', claim))?.nsid === nsid;
    await releaseAllLeases(alice);
    // The page lease refuses a decided account with a 409: not reviewable either.
    const page = await acquireLease(nsid, alice, 10).then(
      (l) => l.held,
      (e: unknown) => {
        if (e instanceof ConflictError) return false;
        throw e;
      },
    );
    await releaseAllLeases(alice);
    const afterUndo = await db().$transaction((tx) => leaseAfterUndo(tx, nsid, alice, 10));
    expect({ claimed, reclaimed, page, afterUndo }).toEqual({
      claimed: reviewable,
      reclaimed: reviewable,
      page: reviewable,
      afterUndo: reviewable,
    });
  });

  it('the page says why when nobody else holds the account', async () => {
    await setGoldAnswer(nsid, 'approve', null);
    await decide(alice, 'approve');
    expect(await acquireLease(nsid, alice, 10)).toMatchObject({
      held: false,
      holder: null,
      status: 'pending',
      waiting: 'answered',
    });
    await setGoldAnswer(nsid, null, null);
    await setAccount({ qcStage: 'adjudication' });
    expect(await acquireLease(nsid, alice, 10)).toMatchObject({ held: false, waiting: 'adjudication' });
  });
});
