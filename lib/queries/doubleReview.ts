// Blind double review: the reproducible draw of accounts decided twice, the second decision, adjudication and send-back.
import { db, Prisma } from '../db.ts';
import type { DecisionKind, ReviewStatus } from '../generated/prisma/enums.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import { once, type DecideInput, type DecisionResult, type Tx } from './decisionRequests.ts';

export type { DoubleReviewSettings } from './decisionRequests.ts';
import type { DoubleReviewSettings } from './decisionRequests.ts';

/**
 * Whether the account (alias `a`) is drawn for double review: the first 32 bits of md5(nsid) read as a number in [0, 1),
 * below the share. Reproducible (the same accounts on every run and machine) and independent of rank and order.
 */
export function drawnSql(s: DoubleReviewSettings): Prisma.Sql {
  return Prisma.sql`(a.rank IS NOT NULL AND a.rank <= ${s.topN}
    AND ('x' || substr(md5(a.nsid), 1, 8))::bit(32)::bigint / 4294967296.0 < ${s.share}::float8)`;
}

type Locked = {
  status: ReviewStatus;
  qcStage: 'none' | 'second' | 'adjudication';
  firstReviewerId: string | null;
  leaseUserId: string | null;
  leaseLive: boolean;
  holder: string | null;
  drawn: boolean;
};

async function lockForDecision(tx: Tx, nsid: string, userId: string, drawn: Prisma.Sql): Promise<Locked> {
  const [acc] = await tx.$queryRaw<Locked[]>`
    SELECT a.review_status::text AS status, a.qc_stage::text AS "qcStage", a.first_reviewer_id AS "firstReviewerId",
      a.lease_user_id AS "leaseUserId", COALESCE(a.lease_expires_at > now(), false) AS "leaseLive", u.name AS holder, ${drawn} AS drawn
    FROM accounts a LEFT JOIN users u ON u.id = a.lease_user_id WHERE a.nsid = ${nsid} FOR UPDATE OF a`;
  if (!acc) throw new NotFoundError(`Account ${nsid} not found`);
  if (acc.leaseLive && acc.leaseUserId !== userId) {
    throw new ConflictError(`Another reviewer (${acc.holder ?? 'unknown'}) holds this account`, {
      code: 'leased',
    });
  }
  return acc;
}

const statusOf = (d: 'approve' | 'reject'): ReviewStatus => (d === 'approve' ? 'approved' : 'rejected');

/** The first decision of the account's open double review (the newest standing round-1 decision since a send-back). */
async function firstDecision(
  tx: Tx,
  nsid: string,
): Promise<{ decision: DecisionKind; reason: string | null } | null> {
  const [d] = await tx.$queryRaw<{ decision: DecisionKind; reason: string | null }[]>`
    SELECT decision::text AS decision, reason FROM account_decisions d
    WHERE account_nsid = ${nsid} AND round = 1 AND decision IN ('approve', 'reject')
      AND NOT EXISTS (SELECT 1 FROM account_decisions u WHERE u.undoes_id = d.id)
      AND id > COALESCE((SELECT max(id) FROM account_decisions r WHERE r.account_nsid = ${nsid} AND r.decision = 'reopen'), 0)
    ORDER BY id DESC LIMIT 1`;
  return d ?? null;
}

/**
 * A decision on an account drawn for double review, in one transaction. The first leaves it pending for a second
 * reviewer (never the first one); the second either agrees (the status is set, the first reviewer's reason kept) or
 * disagrees on approve/reject and sends it to adjudication. Idempotent per request id like every decision.
 */
export async function decideDoubleReview(input: DecideInput): Promise<DecisionResult> {
  const reason = input.decision === 'reject' ? (input.reason ?? 'other') : null;
  const drawn = input.doubleReview ? drawnSql(input.doubleReview) : Prisma.sql`false`;
  return once(
    input.requestId,
    { userId: input.userId, nsid: input.nsid, decision: input.decision },
    async (tx) => {
      const acc = await lockForDecision(tx, input.nsid, input.userId, drawn);
      if (acc.status !== input.expectedStatus) {
        throw new ConflictError(`This account was decided meanwhile: it is now ${acc.status}`, {
          code: 'decided',
          status: acc.status,
        });
      }
      if (acc.qcStage === 'adjudication')
        throw new ConflictError('The two reviews of this account disagree: an admin adjudicates it', {
          code: 'adjudication',
        });
      if (acc.qcStage === 'second' && acc.firstReviewerId === input.userId) {
        throw new ConflictError(
          'You made the first review of this account; a second reviewer decides it blind',
          { code: 'already_reviewed' },
        );
      }
      const round = acc.qcStage === 'second' ? 2 : 1;
      await tx.accountDecision.create({
        data: {
          accountNsid: input.nsid,
          userId: input.userId,
          decision: input.decision,
          reason,
          note: input.note || null,
          requestId: input.requestId,
          round,
        },
      });
      const release = { leaseUserId: null, leaseExpiresAt: null, leaseToken: null };
      if (round === 1 && acc.status === 'pending' && acc.drawn) {
        await tx.account.update({
          where: { nsid: input.nsid },
          data: { qcStage: 'second', firstReviewerId: input.userId, ...release },
        });
      } else if (round === 1) {
        await tx.account.update({
          where: { nsid: input.nsid },
          data: {
            reviewStatus: statusOf(input.decision),
            reviewReason: reason,
            reviewedAt: new Date(),
            ...release,
          },
        });
      } else {
        const first = await firstDecision(tx, input.nsid);
        const agree = !first || first.decision === input.decision;
        await tx.account.update({
          where: { nsid: input.nsid },
          data: agree
            ? {
                reviewStatus: statusOf(input.decision),
                reviewReason: first?.reason ?? reason,
                reviewedAt: new Date(),
                qcStage: 'none',
                ...release,
              }
            : { qcStage: 'adjudication', ...release },
        });
      }
    },
  );
}

export type AdjudicateInput = {
  nsid: string;
  userId: string;
  decision: 'approve' | 'reject';
  reason?: string | null;
  note?: string | null;
  requestId: string;
};

/** An admin's decision on an account whose two reviews disagreed: it sets the status; both reviews stay in the history. */
export async function adjudicateAccount(input: AdjudicateInput): Promise<DecisionResult> {
  const reason = input.decision === 'reject' ? (input.reason ?? 'other') : null;
  return once(
    input.requestId,
    { userId: input.userId, nsid: input.nsid, decision: input.decision },
    async (tx) => {
      const acc = await lockForDecision(tx, input.nsid, input.userId, Prisma.sql`false`);
      if (acc.qcStage !== 'adjudication') {
        throw new ConflictError('This account is not waiting for adjudication', {
          code: 'not_in_adjudication',
          status: acc.status,
        });
      }
      await tx.accountDecision.create({
        data: {
          accountNsid: input.nsid,
          userId: input.userId,
          decision: input.decision,
          reason,
          note: input.note || null,
          requestId: input.requestId,
          round: 3,
        },
      });
      await tx.account.update({
        where: { nsid: input.nsid },
        data: {
          reviewStatus: statusOf(input.decision),
          reviewReason: reason,
          reviewedAt: new Date(),
          qcStage: 'none',
          leaseUserId: null,
          leaseExpiresAt: null,
          leaseToken: null,
        },
      });
    },
  );
}

/**
 * Send back: a decided account returns to the queue (pending, unleased, out of any double review) with the reason in
 * a `reopen` row. Its earlier decisions stay in the history but no longer decide its status.
 */
export async function reopenAccount(input: {
  nsid: string;
  userId: string;
  reason: string;
  requestId: string;
}): Promise<DecisionResult> {
  return once(input.requestId, { userId: input.userId, nsid: input.nsid, decision: 'reopen' }, async (tx) => {
    const acc = await lockForDecision(tx, input.nsid, input.userId, Prisma.sql`false`);
    if (acc.status === 'pending')
      throw new ConflictError('This account is not decided: there is nothing to send back', {
        code: 'not_decided',
      });
    await tx.accountDecision.create({
      data: {
        accountNsid: input.nsid,
        userId: input.userId,
        decision: 'reopen',
        note: input.reason,
        requestId: input.requestId,
      },
    });
    await tx.account.update({
      where: { nsid: input.nsid },
      data: {
        reviewStatus: 'pending',
        reviewReason: null,
        reviewedAt: null,
        qcStage: 'none',
        firstReviewerId: null,
        leaseUserId: null,
        leaseExpiresAt: null,
        leaseToken: null,
      },
    });
  });
}

export async function countAwaitingAdjudication(): Promise<number> {
  return db().account.count({ where: { qcStage: 'adjudication' } });
}
