// Account decisions: an append-only history (approve, reject, undo, reopen) and the account status it implies.
import { db, Prisma } from '../db.ts';
import type { DecisionKind, ReviewStatus } from '../generated/prisma/enums.ts';
import { ConflictError, isUniqueViolation, NotFoundError } from '../errors.ts';
import { decideDoubleReview, drawnSql } from './doubleReview.ts';
import {
  lockAccount,
  once,
  resultFor,
  sameRequest,
  toRow,
  type DecideInput,
  type DecisionResult,
  type DecisionRow,
  type RawDecision,
  type Tx,
} from './decisionRequests.ts';
import { decideGold } from './gold.ts';
import { leaseAfterUndo, lockReviewerLeases } from './review.ts';

export type {
  DecideInput,
  DecisionResult,
  DecisionRow,
  DoubleReviewSettings,
  RequestScope,
  Tx,
} from './decisionRequests.ts';
export { once, resultFor } from './decisionRequests.ts';

type DecideRow = {
  status: ReviewStatus;
  leaseUserId: string | null;
  leaseLive: boolean;
  holder: string | null;
  id: bigint | null;
  createdAt: Date | null;
  me: string | null;
  qcStage: string;
  drawn: boolean;
  gold: boolean;
};

/**
 * Records a decision, sets the account's status and releases the lease in ONE statement (one round trip): the account
 * row is locked, the lease and the expected status are checked, the decision is appended and the account updated.
 * A duplicate requestId inserts nothing and gets the first request's result, if it was this user's same request.
 * An account drawn for double review, or already in one, takes the transactional path in doubleReview.ts instead.
 */
export async function decideAccount(input: DecideInput): Promise<DecisionResult> {
  const status: ReviewStatus = input.decision === 'approve' ? 'approved' : 'rejected';
  const reason = input.decision === 'reject' ? (input.reason ?? 'other') : null;
  const [row] = await db().$queryRaw<DecideRow[]>`
    WITH acc AS (
      SELECT a.nsid, a.review_status, a.lease_user_id, COALESCE(a.lease_expires_at > now(), false) AS live,
        a.qc_stage, ${input.doubleReview ? drawnSql(input.doubleReview) : Prisma.sql`false`} AS drawn, a.gold_answer IS NOT NULL AS gold
      FROM accounts a WHERE a.nsid = ${input.nsid} FOR UPDATE),
    ins AS (
      INSERT INTO account_decisions (account_nsid, user_id, decision, reason, note, request_id)
      SELECT nsid, ${input.userId}, ${input.decision}::"DecisionKind", ${reason}, ${input.note || null}, ${input.requestId} FROM acc
      WHERE (NOT live OR lease_user_id IS NULL OR lease_user_id = ${input.userId})
        AND review_status = ${input.expectedStatus}::"ReviewStatus"
        AND qc_stage = 'none' AND NOT (review_status = 'pending' AND drawn) AND NOT gold
      ON CONFLICT (request_id) DO NOTHING
      RETURNING id, account_nsid, created_at),
    upd AS (
      UPDATE accounts a SET review_status = ${status}::"ReviewStatus", review_reason = ${reason}, reviewed_at = now(),
        lease_user_id = NULL, lease_expires_at = NULL, updated_at = now()
      FROM ins WHERE a.nsid = ins.account_nsid RETURNING a.nsid)
    SELECT acc.review_status::text AS status, acc.lease_user_id AS "leaseUserId", acc.live AS "leaseLive",
      u.name AS holder, ins.id, ins.created_at AS "createdAt", (SELECT name FROM users WHERE id = ${input.userId}) AS me,
      acc.qc_stage::text AS "qcStage", acc.drawn, acc.gold
    FROM acc LEFT JOIN users u ON u.id = acc.lease_user_id LEFT JOIN ins ON true LEFT JOIN upd ON true`;
  if (row?.id) {
    return {
      decision: {
        id: row.id.toString(),
        accountNsid: input.nsid,
        userId: input.userId,
        userName: row.me,
        decision: input.decision,
        reason,
        note: input.note || null,
        undoesId: null,
        createdAt: row.createdAt!.toISOString(),
        round: 1,
      },
      account: { nsid: input.nsid, reviewStatus: status, reviewReason: reason },
    };
  }
  const first = await resultFor(db(), input.requestId);
  if (first) return sameRequest(first, { userId: input.userId, nsid: input.nsid, decision: input.decision });
  if (!row) throw new NotFoundError(`Account ${input.nsid} not found`);
  if (row.leaseLive && row.leaseUserId !== input.userId) {
    throw new ConflictError(`Another reviewer (${row.holder ?? 'unknown'}) holds this account`, {
      code: 'leased',
    });
  }
  if (row.gold) return decideGold(input);
  if (row.status !== input.expectedStatus) {
    throw new ConflictError(`This account was decided meanwhile: it is now ${row.status}`, {
      code: 'decided',
      status: row.status,
    });
  }
  return decideDoubleReview(input);
}

const EFFECTIVE = `decision IN ('approve', 'reject') AND NOT EXISTS (SELECT 1 FROM account_decisions u WHERE u.undoes_id = d.id)`;
/** Decisions before the account's last send-back (reopen) no longer say anything about its status. */
const SINCE_REOPEN = `id > COALESCE((SELECT max(r.id) FROM account_decisions r WHERE r.account_nsid = $1 AND r.decision = 'reopen' AND r.id < $2), 0)`;

/**
 * Undoes the reviewer's newest decision that still stands (or `decisionId`): appends an `undo` row, restores the
 * status the account had before it, and gives the reviewer the lease if the account is theirs to decide again
 * (leaseAfterUndo: not when an earlier decision stands again, and never a third lease).
 */
export async function undoDecision(input: {
  userId: string;
  requestId: string;
  decisionId?: string;
  leaseMinutes: number;
}): Promise<DecisionResult> {
  const result = await once(
    input.requestId,
    { userId: input.userId, decision: 'undo', undoesId: input.decisionId },
    async (tx) => {
      // Before the account's row lock, in the order claims take them (reviewer, then rows).
      await lockReviewerLeases(tx, input.userId);
      const [target] = input.decisionId
        ? await tx.$queryRawUnsafe<{ id: bigint; nsid: string; round: number }[]>(
            `SELECT id, account_nsid AS nsid, round FROM account_decisions d WHERE id = $1::bigint AND user_id = $2 AND ${EFFECTIVE}`,
            input.decisionId,
            input.userId,
          )
        : await tx.$queryRawUnsafe<{ id: bigint; nsid: string; round: number }[]>(
            `SELECT id, account_nsid AS nsid, round FROM account_decisions d WHERE user_id = $1 AND ${EFFECTIVE} ORDER BY id DESC LIMIT 1`,
            input.userId,
          );
      if (!target) throw new NotFoundError('Nothing to undo');
      await lockAccount(tx, target.nsid, input.userId);
      if (
        await tx.accountDecision.findUnique({ where: { requestId: input.requestId }, select: { id: true } })
      )
        return;
      // Other reviewers' answers to a known-answer account are their own tests, not later decisions on it.
      const later =
        target.round === 4
          ? []
          : await tx.$queryRawUnsafe<{ id: bigint }[]>(
              `SELECT id FROM account_decisions d WHERE account_nsid = $1 AND id > $2 AND (${EFFECTIVE} OR decision = 'reopen') LIMIT 1`,
              target.nsid,
              target.id,
            );
      if (later.length)
        throw new ConflictError('A later decision on this account replaced it; undo that one instead', {
          code: 'superseded',
        });
      const [prev] = await tx.$queryRawUnsafe<
        { decision: DecisionKind; reason: string | null; createdAt: Date }[]
      >(
        `SELECT decision, reason, created_at AS "createdAt" FROM account_decisions d
       WHERE account_nsid = $1 AND id < $2 AND ${EFFECTIVE} AND ${SINCE_REOPEN} ORDER BY id DESC LIMIT 1`,
        target.nsid,
        target.id,
      );
      await tx.accountDecision.create({
        data: {
          accountNsid: target.nsid,
          userId: input.userId,
          decision: 'undo',
          undoesId: target.id,
          requestId: input.requestId,
        },
      });
      // A double review steps back one stage: undoing the second decision waits for a second reviewer again (it is the
      // second reviewer's to redo), undoing an adjudication returns to the admin's queue, undoing the first starts over.
      const back =
        target.round === 2
          ? { qcStage: 'second' as const }
          : target.round === 3
            ? { qcStage: 'adjudication' as const }
            : null;
      // A known-answer test never touched the account: undoing it only hands the account back to answer again.
      if (target.round === 4) {
        await leaseAfterUndo(tx, target.nsid, input.userId, input.leaseMinutes);
        return;
      }
      await tx.account.update({
        where: { nsid: target.nsid },
        data: back
          ? { reviewStatus: 'pending', reviewReason: null, reviewedAt: null, ...back }
          : {
              reviewStatus: prev ? (prev.decision === 'approve' ? 'approved' : 'rejected') : 'pending',
              reviewReason: prev?.reason ?? null,
              reviewedAt: prev?.createdAt ?? null,
              qcStage: 'none',
              firstReviewerId: null,
            },
      });
      await leaseAfterUndo(tx, target.nsid, input.userId, input.leaseMinutes);
    },
  );
  // Undoing an answer to a known-answer account must not tell the reviewer its real status: it looks pending, as
  // it did when they answered (decideGold answers the same way).
  const undone = result.decision.undoesId
    ? await db().accountDecision.findUnique({
        where: { id: BigInt(result.decision.undoesId) },
        select: { round: true },
      })
    : null;
  if (undone?.round === 4)
    return { ...result, account: { nsid: result.account.nsid, reviewStatus: 'pending', reviewReason: null } };
  return result;
}

/**
 * The account's history, newest first. While a double review is open (second review or adjudication) a reviewer sees
 * only their own decisions on it, so the second reviewer decides blind (likewise on a known-answer account); admins see
 * everything.
 */
export async function listAccountDecisions(
  nsid: string,
  limit = 50,
  viewer?: { id: string; role: string },
): Promise<DecisionRow[]> {
  let onlyUser: string | undefined;
  if (viewer && viewer.role !== 'admin') {
    const acc = await db().account.findUnique({
      where: { nsid },
      select: { qcStage: true, goldAnswer: true },
    });
    if (acc && (acc.qcStage !== 'none' || acc.goldAnswer)) onlyUser = viewer.id;
  }
  const rows = await db().accountDecision.findMany({
    where: { accountNsid: nsid, ...(onlyUser ? { userId: onlyUser } : {}) },
    orderBy: { id: 'desc' },
    take: limit,
    include: { user: { select: { name: true } } },
  });
  return rows.map(toRow);
}

/** The reviewer's newest decision that still stands: what Z would undo. */
export async function lastUndoableDecision(userId: string): Promise<DecisionRow | null> {
  const [row] = await db().$queryRawUnsafe<RawDecision[]>(
    `SELECT id, account_nsid AS "accountNsid", user_id AS "userId", decision::text AS decision, reason, note,
       undoes_id AS "undoesId", created_at AS "createdAt", round FROM account_decisions d
     WHERE user_id = $1 AND ${EFFECTIVE} ORDER BY id DESC LIMIT 1`,
    userId,
  );
  return row ? toRow(row) : null;
}
