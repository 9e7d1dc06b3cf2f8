import pg from 'pg';
import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { ConflictError } from '../../../lib/errors.ts';
import { decideAccount, listAccountDecisions, undoDecision } from '../../../lib/queries/decisions.ts';
import {
  acquireLease,
  claimNextAccount,
  getAccountReview,
  listReviewQueue,
  releaseLeases,
} from '../../../lib/queries/review.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { addCheck, makeAccounts, makeUser } from './reviewFixtures.ts';

useTestDatabase();
const opts = { topN: 5, leaseMinutes: 10 };
let alice = '',
  bob = '';
let nsids: string[] = [];

beforeEach(async () => {
  await db().$executeRawUnsafe(
    'TRUNCATE account_decisions, overrides, check_results, photos, accounts, users CASCADE',
  );
  alice = await makeUser('alice');
  bob = await makeUser('bob');
  nsids = await makeAccounts(8);
});

describe('claiming accounts', () => {
  it('hands out the top accounts in rank order and gives a reviewer back the lease they hold', async () => {
    const first = await claimNextAccount(alice, 'rank', opts);
    expect(first?.nsid).toBe(nsids[0]);
    expect((await claimNextAccount(alice, 'rank', opts))?.nsid).toBe(nsids[0]);
    expect((await claimNextAccount(bob, 'rank', opts))?.nsid).toBe(nsids[1]);
    // Reserving the next account leaves out the one on screen and keeps both leases.
    expect((await claimNextAccount(alice, 'rank', opts, [nsids[0]]))?.nsid).toBe(nsids[2]);
    expect((await claimNextAccount(alice, 'rank', opts, [nsids[0]]))?.nsid).toBe(nsids[2]);
    expect((await claimNextAccount(alice, 'rank', opts, [nsids[0], nsids[2]]))?.nsid).toBe(nsids[3]);
    // Reserving a3 past a2 let a2 go (a reviewer holds the one on screen and one reserved), so bob gets it.
    expect((await claimNextAccount(bob, 'rank', opts, [nsids[1]]))?.nsid).toBe(nsids[2]);
  });

  it('never gives two concurrent reviewers the same account, and stops at the top N', async () => {
    const users = await Promise.all(Array.from({ length: 7 }, (_, i) => makeUser(`r${i}`)));
    const leases = await Promise.all(users.map((u) => claimNextAccount(u, 'rank', opts)));
    const got = leases.filter((l) => l !== null).map((l) => l!.nsid);
    expect(new Set(got).size).toBe(got.length);
    expect(got.sort()).toEqual(nsids.slice(0, 5).sort());
    expect(leases.filter((l) => l === null)).toHaveLength(2);
  });

  it("a page's catch-up claim and its reservation claim running at once never leave the reviewer more than two leases", async () => {
    const many = { topN: 8, leaseMinutes: 10 };
    let most = 0;
    for (let round = 0; round < 15; round++) {
      await db().$executeRaw`UPDATE accounts SET lease_user_id = NULL, lease_expires_at = NULL`;
      const onScreen = (await claimNextAccount(alice, 'rank', many))!.nsid;
      // The page catching up (no exclude) while the same page reserves the next account (exclude: the one on screen).
      await Promise.all([
        claimNextAccount(alice, 'flag', many),
        claimNextAccount(alice, 'rank', many, [onScreen]),
        claimNextAccount(alice, 'rank', many, [onScreen, nsids[1]]),
        claimNextAccount(alice, 'flag', many, [onScreen]),
      ]);
      const live = await db().account.count({
        where: { leaseUserId: alice, leaseExpiresAt: { gt: new Date() } },
      });
      most = Math.max(most, live);
    }
    expect(most).toBeLessThanOrEqual(2);
  });

  it('many claims by one reviewer at once (a double click, several tabs) lease one account, handed to every one of them', async () => {
    const many = { topN: 8, leaseMinutes: 10 };
    for (let round = 0; round < 5; round++) {
      await db().$executeRaw`UPDATE accounts SET lease_user_id = NULL, lease_expires_at = NULL`;
      const got = await Promise.all(Array.from({ length: 8 }, () => claimNextAccount(alice, 'rank', many)));
      const leased = await db().account.findMany({
        where: { leaseUserId: alice, leaseExpiresAt: { gt: new Date() } },
        select: { nsid: true },
      });
      expect(leased, `round ${round}`).toEqual([{ nsid: nsids[0] }]);
      expect(new Set(got.map((l) => l?.nsid)), `round ${round}`).toEqual(new Set([nsids[0]]));
    }
    // Bob, claiming meanwhile, is not held up by alice's claims and gets another account.
    const [a, b] = await Promise.all([
      claimNextAccount(alice, 'rank', many),
      claimNextAccount(bob, 'rank', many),
    ]);
    expect(a?.nsid).toBe(nsids[0]);
    expect(b?.nsid).toBe(nsids[1]);
  });

  it('refuses an unknown queue order with its name', async () => {
    await expect(claimNextAccount(alice, 'bogus' as 'rank', opts)).rejects.toThrow(
      /unknown queue order: bogus/,
    );
  });

  it('a claim whose own lease passed to another reviewer meanwhile moves on instead of taking it back', async () => {
    // Alice holds a0. Her next claim finds it as her own live lease; before its update lands, her page releases a0 and
    // bob's claim takes it (here: one transaction holding a0's row, so the claim's snapshot is taken before it commits).
    expect((await claimNextAccount(alice, 'rank', opts))?.nsid).toBe(nsids[0]);
    const other = new pg.Client({ connectionString: process.env.DATABASE_URL });
    await other.connect();
    try {
      await other.query('BEGIN');
      await other.query('SELECT 1 FROM accounts WHERE nsid = $1 FOR UPDATE', [nsids[0]]);
      const claim = claimNextAccount(alice, 'rank', opts);
      // The claim has read its snapshot once it waits for a0's row.
      for (let i = 0; i < 200; i++) {
        const { rows } = await other.query(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`,
        );
        if (rows[0].n > 0) break;
        await new Promise((r) => setTimeout(r, 25));
      }
      await other.query(
        `UPDATE accounts SET lease_user_id = $1, lease_expires_at = now() + interval '10 minutes' WHERE nsid = $2`,
        [bob, nsids[0]],
      );
      await other.query('COMMIT');
      // Taking a0 back would show it to both reviewers, each page sure it holds the lease.
      expect((await claim)?.nsid).toBe(nsids[1]);
    } finally {
      await other.end();
    }
    const leases = await db().account.findMany({
      where: { leaseUserId: { not: null } },
      select: { nsid: true, leaseUserId: true },
      orderBy: { nsid: 'asc' },
    });
    expect(leases).toEqual([
      { nsid: nsids[0], leaseUserId: bob },
      { nsid: nsids[1], leaseUserId: alice },
    ]);
  });

  it('concurrent claims with known answers and double reviews mixed in never hand one account to two reviewers', async () => {
    const users = [
      alice,
      bob,
      ...(await Promise.all(Array.from({ length: 4 }, (_, i) => makeUser(`r${i}`)))),
    ];
    // a0 waits for the blind second review of the double review alice made the first review of; a1 and a2 are
    // known-answer accounts, served at every claim (rate 1) to a reviewer who has not answered them.
    await db()
      .$executeRaw`UPDATE accounts SET qc_stage = 'second', first_reviewer_id = ${alice} WHERE nsid = ${nsids[0]}`;
    await db()
      .$executeRaw`UPDATE accounts SET gold_answer = 'approve' WHERE nsid IN (${nsids[1]}, ${nsids[2]})`;
    const mixed = { topN: 8, leaseMinutes: 10, goldRate: 1 };
    const onScreen = new Map<string, string[]>();
    for (let round = 0; round < 4; round++) {
      // Each reviewer reserves the account after the ones they hold, all at once.
      const leases = await Promise.all(
        users.map((u) => claimNextAccount(u, 'rank', mixed, onScreen.get(u) ?? [])),
      );
      const got = leases.flatMap((l, i) => (l ? [[users[i], l.nsid] as const] : []));
      expect(new Set(got.map(([, n]) => n)).size, `round ${round}`).toBe(got.length);
      for (const [u, n] of got) onScreen.set(u, [n, ...(onScreen.get(u) ?? [])].slice(0, 2));
      // Every account handed out is leased to the reviewer it was handed to.
      const rows = await db().account.findMany({
        where: { nsid: { in: got.map(([, n]) => n) } },
        select: { nsid: true, leaseUserId: true },
      });
      const holder = new Map(rows.map((r) => [r.nsid, r.leaseUserId]));
      expect(
        got.filter(([u, n]) => holder.get(n) !== u),
        `round ${round}`,
      ).toEqual([]);
      expect(got.filter(([u, n]) => u === alice && n === nsids[0])).toEqual([]);
    }
  });

  it('lets another reviewer take an abandoned (expired) lease', async () => {
    await claimNextAccount(alice, 'rank', opts);
    await db().account.update({
      where: { nsid: nsids[0] },
      data: { leaseExpiresAt: new Date(Date.now() - 1000) },
    });
    expect((await claimNextAccount(bob, 'rank', opts))?.nsid).toBe(nsids[0]);
  });

  it('orders by flag score when asked and lists undecided accounts first', async () => {
    expect((await claimNextAccount(alice, 'flag', opts))?.nsid).toBe(nsids[4]);
    await decideAccount({
      nsid: nsids[0],
      userId: bob,
      decision: 'approve',
      requestId: 'q1',
      expectedStatus: 'pending',
    });
    const page = await listReviewQueue(alice, { topN: 5, order: 'rank', page: 1, pageSize: 10 });
    expect(page.data.map((r) => r.nsid)).toEqual([...nsids.slice(1, 5), nsids[0]]);
    expect(page.counts).toEqual({ pending: 4, approved: 1, rejected: 0 });
    expect(page.data.find((r) => r.nsid === nsids[4])).toMatchObject({
      leaseHolder: 'alice',
      leaseMine: true,
    });
  });

  it('keeps one lease per reviewer and refuses an account another reviewer holds', async () => {
    await claimNextAccount(alice, 'rank', opts);
    await claimNextAccount(alice, 'rank', opts, [nsids[0]]);
    await claimNextAccount(alice, 'rank', opts, [nsids[0], nsids[1]]);
    expect(await acquireLease(nsids[3], alice, 10, [nsids[1]])).toMatchObject({
      held: true,
      status: 'pending',
    });
    expect(await acquireLease(nsids[0], bob, 10)).toMatchObject({ held: true });
    expect(await acquireLease(nsids[3], bob, 10)).toMatchObject({ held: false, holder: 'alice' });
    const leased = await db().account.findMany({
      where: { leaseUserId: { not: null } },
      select: { nsid: true, leaseUserId: true },
      orderBy: { nsid: 'asc' },
    });
    // The third claim released a1 (alice kept a0 on screen and a2 reserved), so `keep: [a1]` keeps nothing of hers.
    expect(leased).toEqual([
      { nsid: nsids[0], leaseUserId: bob },
      { nsid: nsids[3], leaseUserId: alice },
    ]);
  });

  it('refuses a lease on an account already decided (409), leaving the reviewer with their two leases', async () => {
    await claimNextAccount(alice, 'rank', opts);
    await claimNextAccount(alice, 'rank', opts, [nsids[0]]);
    await db().account.update({
      where: { nsid: nsids[0] },
      data: { reviewStatus: 'approved', leaseUserId: null, leaseExpiresAt: null },
    });
    await claimNextAccount(alice, 'rank', opts, [nsids[1]]);
    const refused = await acquireLease(nsids[0], alice, 10, [nsids[2]]).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(ConflictError);
    expect(refused).toMatchObject({
      status: 409,
      message: `Account ${nsids[0]} is already approved: there is nothing to review, so no lease was taken`,
      details: { code: 'decided', status: 'approved' },
    });
    const mine = await db().account.findMany({
      where: { leaseUserId: alice },
      select: { nsid: true },
      orderBy: { nsid: 'asc' },
    });
    expect(mine.map((a) => a.nsid)).toEqual([nsids[1], nsids[2]]);
    // Taking a pending account again releases everything else, as before.
    await acquireLease(nsids[1], alice, 10);
    expect(
      (await db().account.findMany({ where: { leaseUserId: alice }, select: { nsid: true } })).map(
        (a) => a.nsid,
      ),
    ).toEqual([nsids[1]]);
  });

  it('still leases the second round of a double review to a reviewer other than the first', async () => {
    await db().account.update({
      where: { nsid: nsids[5] },
      data: { qcStage: 'second', firstReviewerId: alice },
    });
    expect(await acquireLease(nsids[5], bob, 10)).toMatchObject({ held: true, status: 'pending' });
    await releaseLeases([nsids[5]], bob);
    expect(await acquireLease(nsids[5], alice, 10)).toMatchObject({
      held: false,
      waiting: 'second_review',
    });
  });
});

describe('a review page token', () => {
  const leasedTo = async (userId: string) =>
    (
      await db().account.findMany({
        where: { leaseUserId: userId },
        select: { nsid: true },
        orderBy: { nsid: 'asc' },
      })
    ).map((a) => a.nsid);

  it('leaving the page ends every lease taken under its token, even one the beacon did not name', async () => {
    const page = 'page-token-aaaaaaaaaaaaaaaa';
    await claimNextAccount(alice, 'rank', opts, [], page);
    await claimNextAccount(alice, 'rank', opts, [nsids[0]], page);
    expect(await leasedTo(alice)).toEqual([nsids[0], nsids[1]]);
    // The beacon only knew the account on screen; the reservation was still in flight from the page's point of view.
    expect(await releaseLeases([nsids[0]], alice, page)).toEqual([{ nsid: nsids[0], released: true }]);
    expect(await leasedTo(alice)).toEqual([]);
  });

  it('a claim or renewal that lands after the page was left takes nothing, and the next claim gets the first account', async () => {
    const page = 'page-token-bbbbbbbbbbbbbbbb';
    await acquireLease(nsids[0], alice, 10, [], page);
    await releaseLeases([nsids[0]], alice, page);
    expect(await claimNextAccount(alice, 'rank', opts, [nsids[0]], page)).toBeNull();
    expect((await acquireLease(nsids[0], alice, 10, [], page)).held).toBe(false);
    expect(await leasedTo(alice)).toEqual([]);
    // A new page (new token) and a plain claim both work as before.
    expect((await claimNextAccount(alice, 'rank', opts, [], 'page-token-cccccccccccccccc'))?.nsid).toBe(
      nsids[0],
    );
    expect((await claimNextAccount(bob, 'rank', opts))?.nsid).toBe(nsids[1]);
  });

  it("a reloaded page keeps the account it took again when the old page's beacon lands after that", async () => {
    const old = 'page-token-eeeeeeeeeeeeeeee';
    const fresh = 'page-token-ffffffffffffffff';
    await claimNextAccount(alice, 'rank', opts, [], old);
    // The reload's new page renews the account on screen under its own token before the old page's beacon arrives.
    expect((await acquireLease(nsids[0], alice, 10, [], fresh)).held).toBe(true);
    expect(await releaseLeases([nsids[0]], alice, old)).toEqual([
      { nsid: nsids[0], released: false, reason: 'other page' },
    ]);
    expect(await leasedTo(alice)).toEqual([nsids[0]]);
    // Leaving the new page ends it; a release without a page (the lease route's DELETE) still ends any of the user's.
    await releaseLeases([nsids[0]], alice, fresh);
    expect(await leasedTo(alice)).toEqual([]);
    await acquireLease(nsids[1], alice, 10, [], fresh.replace('f', 'g'));
    expect(await releaseLeases([nsids[1]], alice)).toEqual([{ nsid: nsids[1], released: true }]);
  });

  it("a token cannot close or use another reviewer's page", async () => {
    const page = 'page-token-dddddddddddddddd';
    await claimNextAccount(alice, 'rank', opts, [], page);
    await releaseLeases([], bob, page);
    expect(await leasedTo(alice)).toEqual([nsids[0]]);
    expect(await claimNextAccount(bob, 'rank', opts, [], page)).toBeNull();
  });
});

describe('decisions', () => {
  it('records a decision once per requestId, releases the lease, and refuses an account leased by someone else', async () => {
    await claimNextAccount(alice, 'rank', opts);
    await expect(
      decideAccount({
        nsid: nsids[0],
        userId: bob,
        decision: 'approve',
        requestId: 'b1',
        expectedStatus: 'pending',
      }),
    ).rejects.toBeInstanceOf(ConflictError);
    const input = {
      nsid: nsids[0],
      userId: alice,
      decision: 'reject' as const,
      reason: 'watermarks',
      requestId: 'a1',
      expectedStatus: 'pending' as const,
    };
    const [r1, r2] = await Promise.all([decideAccount(input), decideAccount(input)]);
    expect(r1.decision.id).toBe(r2.decision.id);
    expect(await db().accountDecision.count()).toBe(1);
    expect(await db().account.findUnique({ where: { nsid: nsids[0] } })).toMatchObject({
      reviewStatus: 'rejected',
      reviewReason: 'watermarks',
      leaseUserId: null,
      leaseExpiresAt: null,
    });
  });

  it('lets exactly one of two simultaneous deciders win on an unleased account', async () => {
    const results = await Promise.allSettled([
      decideAccount({
        nsid: nsids[2],
        userId: alice,
        decision: 'approve',
        requestId: 'x1',
        expectedStatus: 'pending',
      }),
      decideAccount({
        nsid: nsids[2],
        userId: bob,
        decision: 'reject',
        reason: 'other',
        requestId: 'x2',
        expectedStatus: 'pending',
      }),
    ]);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(1);
    const failed = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(failed.reason).toBeInstanceOf(ConflictError);
    expect(await db().accountDecision.count()).toBe(1);
  });

  it('undo appends, restores the status before the decision, and gives the reviewer the account back', async () => {
    await decideAccount({
      nsid: nsids[0],
      userId: alice,
      decision: 'approve',
      requestId: 'd1',
      expectedStatus: 'pending',
    });
    await decideAccount({
      nsid: nsids[0],
      userId: alice,
      decision: 'reject',
      reason: 'heavy_edits',
      requestId: 'd2',
      expectedStatus: 'approved',
    });
    await decideAccount({
      nsid: nsids[1],
      userId: alice,
      decision: 'approve',
      requestId: 'd3',
      expectedStatus: 'pending',
    });
    const u1 = await undoDecision({ userId: alice, requestId: 'u1', leaseMinutes: 10 });
    expect(u1.account).toMatchObject({ nsid: nsids[1], reviewStatus: 'pending' });
    expect(await undoDecision({ userId: alice, requestId: 'u1', leaseMinutes: 10 })).toEqual(u1);
    const u2 = await undoDecision({ userId: alice, requestId: 'u2', leaseMinutes: 10 });
    expect(u2.account).toEqual({ nsid: nsids[0], reviewStatus: 'approved', reviewReason: null });
    // Pending again: the reviewer gets it back to decide; approved again (the earlier decision stands): nothing to lease.
    expect((await db().account.findUnique({ where: { nsid: nsids[1] } }))?.leaseUserId).toBe(alice);
    expect((await db().account.findUnique({ where: { nsid: nsids[0] } }))?.leaseUserId).toBeNull();
    const history = await listAccountDecisions(nsids[0]);
    expect(history.map((h) => [h.decision, h.reason, h.undoesId !== null])).toEqual([
      ['undo', null, true],
      ['reject', 'heavy_edits', false],
      ['approve', null, false],
    ]);
    expect(history[0].undoesId).toBe(history[1].id);
  });

  it('undo leases only an account that is undecided again, and keeps the reviewer within two leases', async () => {
    const live = async () =>
      (
        await db().account.findMany({
          where: { leaseUserId: alice, leaseExpiresAt: { gt: new Date() } },
          select: { nsid: true },
        })
      )
        .map((a) => a.nsid)
        .sort();
    // Bob approved a4; alice rejected it after him. Undoing hers leaves bob's approval standing: no lease, no refusal.
    await decideAccount({
      nsid: nsids[4],
      userId: bob,
      decision: 'approve',
      requestId: 'b4',
      expectedStatus: 'pending',
    });
    const mine = await decideAccount({
      nsid: nsids[4],
      userId: alice,
      decision: 'reject',
      reason: 'heavy_edits',
      requestId: 'a4',
      expectedStatus: 'approved',
    });
    await decideAccount({
      nsid: nsids[3],
      userId: alice,
      decision: 'approve',
      requestId: 'a3',
      expectedStatus: 'pending',
    });
    // Alice then reviews a0 with a1 reserved: the two leases a reviewer may hold.
    expect((await claimNextAccount(alice, 'rank', opts))?.nsid).toBe(nsids[0]);
    expect((await claimNextAccount(alice, 'rank', opts, [nsids[0]]))?.nsid).toBe(nsids[1]);
    expect(await live()).toEqual([nsids[0], nsids[1]]);

    const back = await undoDecision({
      userId: alice,
      requestId: 'u4',
      decisionId: mine.decision.id,
      leaseMinutes: 10,
    });
    expect(back.account).toMatchObject({ nsid: nsids[4], reviewStatus: 'approved' });
    expect((await db().account.findUnique({ where: { nsid: nsids[4] } }))?.leaseUserId).toBeNull();
    expect(await live()).toEqual([nsids[0], nsids[1]]);

    // Undoing a3 makes it pending and hers to decide again; one of the other two goes, so she still holds two.
    const reopened = await undoDecision({ userId: alice, requestId: 'u3', leaseMinutes: 10 });
    expect(reopened.account).toMatchObject({ nsid: nsids[3], reviewStatus: 'pending' });
    const held = await live();
    expect(held).toHaveLength(2);
    expect(held).toContain(nsids[3]);
    // What she let go is free for bob.
    const freed = [nsids[0], nsids[1]].find((n) => !held.includes(n));
    expect((await claimNextAccount(bob, 'rank', opts))?.nsid).toBe(freed);
  });

  it('refuses to undo a decision a later one replaced', async () => {
    const mine = await decideAccount({
      nsid: nsids[0],
      userId: alice,
      decision: 'approve',
      requestId: 'e1',
      expectedStatus: 'pending',
    });
    await decideAccount({
      nsid: nsids[0],
      userId: bob,
      decision: 'reject',
      reason: 'spam_duplicates',
      requestId: 'e2',
      expectedStatus: 'approved',
    });
    await expect(
      undoDecision({ userId: alice, requestId: 'e3', decisionId: mine.decision.id, leaseMinutes: 10 }),
    ).rejects.toBeInstanceOf(ConflictError);
  });
});

describe('account page data', () => {
  it('shows every flagged photo first with its checks, a sample of the rest, and each check’s share', async () => {
    const [nsid] = await makeAccounts(1, 30, 'big');
    await addCheck('big0p3', 'watermark', 'fail', 0.9);
    await addCheck('big0p3', 'clip_nonphoto', 'uncertain', 0.5);
    await addCheck('big0p7', 'clip_nonphoto', 'fail', 0.95);
    await addCheck('big0p8', 'clip_nonphoto', 'pass', 0.1);
    await db().override.create({
      data: {
        userId: alice,
        photoId: 'big0p7',
        check: 'clip_nonphoto',
        oldVerdict: 'fail',
        newVerdict: 'pass',
      },
    });
    const review = await getAccountReview(nsid, alice, { sampleSize: 10, flaggedCap: 100 });
    expect(review.flaggedTotal).toBe(1);
    expect(review.photos).toHaveLength(11);
    expect(review.photos[0]).toMatchObject({ id: 'big0p3', flagged: true });
    expect(review.photos[0].flags.map((f) => [f.check, f.verdict])).toEqual([
      ['watermark', 'fail'],
      ['clip_nonphoto', 'uncertain'],
    ]);
    expect(review.photos.slice(1).every((p) => !p.flagged)).toBe(true);
    expect(review.checks).toEqual([
      { check: 'clip_nonphoto', total: 3, fail: 0, uncertain: 1 },
      { check: 'watermark', total: 1, fail: 1, uncertain: 0 },
    ]);
    expect(review.licenses).toEqual([{ license: 9, count: 30 }]);
    const again = await getAccountReview(nsid, alice, { sampleSize: 10, flaggedCap: 100 });
    expect(again.photos.map((p) => p.id)).toEqual(review.photos.map((p) => p.id));
  });
});
