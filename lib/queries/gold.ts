// Known-answer (gold) accounts: admins record the answer; reviewers' decisions on them score the reviewer and
// never change the account's status, so never the dataset.
import { db, Prisma } from '../db.ts';
import { ConflictError, ForbiddenError, NotFoundError } from '../errors.ts';
import { wilsonInterval, type Proportion } from '../stats/wilson.ts';
import { lockAccount, once, type DecideInput, type DecisionResult } from './decisionRequests.ts';

/** Sets or clears (answer null) an account's known answer. */
export async function setGoldAnswer(
  nsid: string,
  answer: 'approve' | 'reject' | null,
  reason: string | null,
): Promise<void> {
  const n = await db().account.updateMany({
    where: { nsid },
    data: { goldAnswer: answer, goldReason: answer === 'reject' ? (reason ?? 'other') : null },
  });
  if (n.count === 0) throw new NotFoundError(`Account ${nsid} not found`);
}

/**
 * A reviewer's answer to a known-answer account (round 4): recorded and the lease released; the account's status is
 * untouched. The result shows the account as pending, as the reviewer saw it. Who may answer is the claim's rule
 * (quarry_internal.review_block), asked under the account's lock: an admin may not (they set and see the answers), nor
 * a reviewer whose answer stands (undo it to answer again). A repeated request id still gets its first result.
 */
export async function decideGold(input: DecideInput): Promise<DecisionResult> {
  const reason = input.decision === 'reject' ? (input.reason ?? 'other') : null;
  const result = await once(
    input.requestId,
    { userId: input.userId, nsid: input.nsid, decision: input.decision },
    async (tx) => {
      await lockAccount(tx, input.nsid, input.userId);
      const [{ blocked }] = await tx.$queryRaw<{ blocked: string | null }[]>`
        SELECT quarry_internal.review_block(a, ${input.userId}) AS blocked FROM accounts a WHERE a.nsid = ${input.nsid}`;
      if (blocked === 'known_answer_admin')
        throw new ForbiddenError(
          'Admins do not answer known-answer accounts: they set the answer, and reviewers’ answers are scored against it',
        );
      if (blocked === 'answered')
        throw new ConflictError(
          'You have already answered this known-answer account; undo your answer to give another',
          { code: 'answered' },
        );
      await tx.accountDecision.create({
        data: {
          accountNsid: input.nsid,
          userId: input.userId,
          decision: input.decision,
          reason,
          note: input.note || null,
          requestId: input.requestId,
          round: 4,
        },
      });
      await tx.account.update({
        where: { nsid: input.nsid },
        data: { leaseUserId: null, leaseExpiresAt: null, leaseToken: null },
      });
    },
  );
  return { ...result, account: { nsid: input.nsid, reviewStatus: 'pending', reviewReason: null } };
}

export type GoldScore = { name: string; accuracy: Proportion; reasonAccuracy: Proportion };

/**
 * Each reviewer's standing answers to known-answer accounts against the answer: right on approve/reject, and right on
 * the reason where both say reject. Wilson 95% intervals, honest at the few answers a reviewer gives at first.
 */
export async function goldAccuracy(): Promise<{ accounts: number; reviewers: GoldScore[] }> {
  const rows = await db().$queryRaw<
    { name: string; n: number; right: number; rn: number; rright: number }[]
  >(Prisma.sql`
    SELECT COALESCE(u.name, u.email) AS name, count(*)::int AS n, count(*) FILTER (WHERE d.decision::text = a.gold_answer)::int AS "right",
      count(*) FILTER (WHERE d.decision = 'reject' AND a.gold_answer = 'reject')::int AS rn,
      count(*) FILTER (WHERE d.decision = 'reject' AND a.gold_answer = 'reject' AND d.reason IS NOT DISTINCT FROM a.gold_reason)::int AS rright
    FROM account_decisions d JOIN accounts a ON a.nsid = d.account_nsid JOIN users u ON u.id = d.user_id
    WHERE d.round = 4 AND a.gold_answer IS NOT NULL AND d.decision IN ('approve', 'reject')
      AND NOT EXISTS (SELECT 1 FROM account_decisions x WHERE x.undoes_id = d.id)
    GROUP BY 1 ORDER BY 1`);
  const [{ accounts }] = await db().$queryRaw<
    { accounts: number }[]
  >`SELECT count(*)::int AS accounts FROM accounts WHERE gold_answer IS NOT NULL`;
  return {
    accounts,
    reviewers: rows.map((r) => ({
      name: r.name,
      accuracy: wilsonInterval(r.right, r.n),
      reasonAccuracy: wilsonInterval(r.rright, r.rn),
    })),
  };
}
