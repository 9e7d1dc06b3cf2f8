// A decision request's plumbing, shared by single, double-review and known-answer decisions: the row shapes, the
// transaction type and `once` (a request id answers only its first request). Its own module so decisions.ts,
// doubleReview.ts and gold.ts all import it and none of them imports another back.
import { db } from '../db.ts';
import type { DecisionKind, ReviewStatus } from '../generated/prisma/enums.ts';
import { ConflictError, isUniqueViolation, NotFoundError } from '../errors.ts';

/** Blind double review of a share of the top accounts (REVIEW_DOUBLE_SHARE of REVIEW_TOP_ACCOUNTS). */
export type DoubleReviewSettings = { share: number; topN: number };

export type DecisionRow = {
  id: string;
  accountNsid: string;
  userId: string;
  userName: string | null;
  decision: DecisionKind;
  reason: string | null;
  note: string | null;
  undoesId: string | null;
  createdAt: string;
  /** 1: the only or first decision; 2: a double review's blind second one; 3: an admin's adjudication. */
  round: number;
};

export type DecisionResult = {
  decision: DecisionRow;
  account: { nsid: string; reviewStatus: ReviewStatus; reviewReason: string | null };
};

export type Tx = Parameters<Parameters<ReturnType<typeof db>['$transaction']>[0]>[0];

export type RawDecision = {
  id: bigint;
  accountNsid: string;
  userId: string;
  decision: DecisionKind;
  reason: string | null;
  note: string | null;
  undoesId: bigint | null;
  createdAt: Date;
  round: number;
  user?: { name: string } | null;
};

export function toRow(d: RawDecision): DecisionRow {
  return {
    id: d.id.toString(),
    accountNsid: d.accountNsid,
    userId: d.userId,
    userName: d.user?.name ?? null,
    decision: d.decision,
    reason: d.reason,
    note: d.note,
    undoesId: d.undoesId?.toString() ?? null,
    createdAt: d.createdAt.toISOString(),
    round: d.round,
  };
}

export async function resultFor(
  tx: Tx | ReturnType<typeof db>,
  requestId: string,
): Promise<DecisionResult | null> {
  const d = await tx.accountDecision.findUnique({
    where: { requestId },
    include: { user: { select: { name: true } } },
  });
  if (!d) return null;
  const a = await tx.account.findUniqueOrThrow({
    where: { nsid: d.accountNsid },
    select: { nsid: true, reviewStatus: true, reviewReason: true },
  });
  return { decision: toRow(d), account: a };
}

type LockedAccount = {
  reviewStatus: ReviewStatus;
  leaseUserId: string | null;
  leaseLive: boolean;
  holder: string | null;
};

export async function lockAccount(tx: Tx, nsid: string, userId: string): Promise<LockedAccount> {
  const [acc] = await tx.$queryRaw<LockedAccount[]>`
    SELECT a.review_status::text AS "reviewStatus", a.lease_user_id AS "leaseUserId",
      COALESCE(a.lease_expires_at > now(), false) AS "leaseLive", u.name AS holder
    FROM accounts a LEFT JOIN users u ON u.id = a.lease_user_id WHERE a.nsid = ${nsid} FOR UPDATE OF a`;
  if (!acc) throw new NotFoundError(`Account ${nsid} not found`);
  if (acc.leaseLive && acc.leaseUserId !== userId) {
    throw new ConflictError(`Another reviewer (${acc.holder ?? 'unknown'}) holds this account`, {
      code: 'leased',
    });
  }
  return acc;
}

/** What a request id was first used for: a repeat must match it, or it is someone else's (or another) request. */
export type RequestScope = { userId: string; nsid?: string; decision: DecisionKind; undoesId?: string };

/**
 * A request id answers only the request it was first used for, by the same user on the same account: a reused id from
 * another user, account or action is a 409 that says nothing about the first request (no note, no reviewer).
 */
export function sameRequest(first: DecisionResult, scope: RequestScope): DecisionResult {
  const d = first.decision;
  if (
    d.userId !== scope.userId ||
    d.decision !== scope.decision ||
    (scope.nsid !== undefined && d.accountNsid !== scope.nsid) ||
    (scope.undoesId !== undefined && d.undoesId !== scope.undoesId)
  ) {
    throw new ConflictError('This request id was already used for a different request; send a new one', {
      code: 'request_id_reused',
    });
  }
  return first;
}

/** Runs `fn` once per requestId: a retried or double-sent request gets the first request's result. */
export async function once(
  requestId: string,
  scope: RequestScope,
  fn: (tx: Tx) => Promise<void>,
): Promise<DecisionResult> {
  const prior = await resultFor(db(), requestId);
  if (prior) return sameRequest(prior, scope);
  try {
    return await db().$transaction(async (tx) => {
      await fn(tx);
      return sameRequest((await resultFor(tx, requestId))!, scope);
    });
  } catch (e) {
    if (!isUniqueViolation(e)) throw e;
    const first = await resultFor(db(), requestId);
    if (!first) throw e;
    return sameRequest(first, scope);
  }
}

export type DecideInput = {
  nsid: string;
  userId: string;
  decision: 'approve' | 'reject';
  reason?: string | null;
  note?: string | null;
  /** The status the reviewer saw: a decision made meanwhile by someone else is a 409, never silently overwritten. */
  requestId: string;
  expectedStatus: ReviewStatus;
  /** Blind double review of a share of the top accounts; without it every decision is a single review. */
  doubleReview?: DoubleReviewSettings;
};
