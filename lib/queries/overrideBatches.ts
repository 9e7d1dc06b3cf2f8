// Bulk overrides: one audited batch over every photo a check page's filter matches, and undo as a batch.
import { randomUUID } from 'node:crypto';
import { db, Prisma } from '../db.ts';
import type { CheckName } from '../checks.ts';
import type { Verdict } from '../generated/prisma/enums.ts';
import { ConflictError, isUniqueViolation, NotFoundError } from '../errors.ts';
import { checkPhotosFromSql, type CheckPhotoCriteria } from './overrides.ts';
import { refreshFlagScores } from './flagScores.ts';

export type OverrideBatchRow = {
  id: string;
  userName: string | null;
  check: string;
  filter: CheckPhotoCriteria;
  newVerdict: Verdict | null;
  reason: string | null;
  count: number;
  undoesId: string | null;
  undoneBy: string | null;
  createdAt: string;
};

type RawBatch = Omit<OverrideBatchRow, 'createdAt'> & {
  createdAt: Date;
  userId: string;
  requestId: string | null;
};

async function batchBy(where: Prisma.Sql): Promise<RawBatch | null> {
  const [b] = await db().$queryRaw<RawBatch[]>`
    SELECT b.id, b.user_id AS "userId", u.name AS "userName", b."check", b.filter, b.new_verdict::text AS "newVerdict", b.reason, b.count,
      b.undoes_id AS "undoesId", (SELECT x.id FROM override_batches x WHERE x.undoes_id = b.id) AS "undoneBy", b.request_id AS "requestId",
      b.created_at AS "createdAt"
    FROM override_batches b JOIN users u ON u.id = b.user_id WHERE ${where}`;
  return b ?? null;
}

const toRow = ({ userId: _u, requestId: _r, createdAt, ...b }: RawBatch): OverrideBatchRow => ({
  ...b,
  createdAt: createdAt.toISOString(),
});

/** A repeated request id answers with its first batch, if it was the same user's; another user's id is a 409. */
async function prior(requestId: string, userId: string): Promise<OverrideBatchRow | null> {
  const b = await batchBy(Prisma.sql`b.request_id = ${requestId}`);
  if (!b) return null;
  if (b.userId !== userId)
    throw new ConflictError('This request id was already used for a different request; send a new one', {
      code: 'request_id_reused',
    });
  return toRow(b);
}

export type BulkOverrideInput = {
  userId: string;
  check: CheckName;
  filter: CheckPhotoCriteria;
  newVerdict: 'pass' | 'fail';
  reason?: string | null;
  /** The count the reviewer confirmed: if the filter now matches another number, nothing is written (409). */
  expectedCount: number;
  requestId: string;
};

/**
 * Overrides every photo the filter matches (not only the page) in one INSERT … SELECT and one transaction, each row
 * recording the effective verdict it replaces and the batch id; then writes the batch row (the audit: who, when, why,
 * the filter and the count). The flag scores are refreshed after the commit, as for any override.
 */
export async function bulkOverride(input: BulkOverrideInput): Promise<OverrideBatchRow> {
  const earlier = await prior(input.requestId, input.userId);
  if (earlier) return earlier;
  const id = randomUUID();
  await db().$transaction(
    async (tx) => {
      // The matches are collected first: an INSERT reading overrides (each photo's newest one) while appending to it
      // re-reads its own new rows on every lookup, which made 100k overrides quadratic (20k took 7 s, 100k over 2 min).
      await tx.$executeRaw`
      CREATE TEMP TABLE bulk_override_source ON COMMIT DROP AS
      SELECT cr.photo_id, cr."check", COALESCE(lo.new_verdict, cr.verdict) AS old_verdict ${checkPhotosFromSql(input.check, input.filter)}`;
      const inserted = await tx.$executeRaw`
      INSERT INTO overrides (user_id, photo_id, "check", old_verdict, new_verdict, reason, batch_id)
      SELECT ${input.userId}, photo_id, "check", old_verdict, ${input.newVerdict}::"Verdict", ${input.reason || null}, ${id}
      FROM bulk_override_source ORDER BY photo_id`;
      if (inserted !== input.expectedCount) {
        throw new ConflictError(
          `The filter now matches ${inserted.toLocaleString('en-US')} photos, not the ${input.expectedCount.toLocaleString('en-US')} you confirmed; nothing was changed`,
          { code: 'count_changed', count: inserted },
        );
      }
      await tx.$executeRaw`
      INSERT INTO override_batches (id, user_id, "check", filter, new_verdict, reason, count, request_id)
      VALUES (${id}, ${input.userId}, ${input.check}, ${JSON.stringify(input.filter)}::jsonb, ${input.newVerdict}::"Verdict", ${input.reason || null}, ${inserted}, ${input.requestId})`;
    },
    { timeout: 120_000 },
  );
  // Not awaited: the accounts' queue order follows within a second (100k overrides touch most accounts and move the
  // uncertain weight, so every score is recomputed), and the reviewer's answer does not wait for it. A failure leaves
  // the scores to the next refresh, as after any override.
  void refreshFlagScores().catch(() => {});
  return toRow((await batchBy(Prisma.sql`b.id = ${id}`))!);
}

/**
 * Undoes a batch as a batch: for each of its photos whose newest override on the check is still the batch's own, an
 * override putting back the verdict it replaced. A photo changed since is left alone (its later override stands).
 */
export async function undoOverrideBatch(input: {
  userId: string;
  batchId: string;
  requestId: string;
}): Promise<OverrideBatchRow> {
  const earlier = await prior(input.requestId, input.userId);
  if (earlier) return earlier;
  const target = await batchBy(Prisma.sql`b.id = ${input.batchId}`);
  if (!target) throw new NotFoundError(`Batch ${input.batchId} not found`);
  if (target.undoesId)
    throw new ConflictError('This batch is itself an undo; undo batches are not undone', { code: 'is_undo' });
  if (target.undoneBy)
    throw new ConflictError('This batch was already undone', {
      code: 'already_undone',
      undoneBy: target.undoneBy,
    });
  const id = randomUUID();
  try {
    await db().$transaction(
      async (tx) => {
        // One INSERT … SELECT here: its rows come from the batch's own (indexed by batch_id), not a scan of the check.
        // (Collected into a temporary table first, as bulkOverride does, the anti-join ran for minutes in the bench.)
        const inserted = await tx.$executeRaw`
        INSERT INTO overrides (user_id, photo_id, "check", old_verdict, new_verdict, reason, batch_id)
        SELECT ${input.userId}, o.photo_id, o."check", o.new_verdict, o.old_verdict, ${`undo of batch ${input.batchId}`}, ${id}
        FROM overrides o
        WHERE o.batch_id = ${input.batchId} AND o.old_verdict IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM overrides l WHERE l.photo_id = o.photo_id AND l."check" = o."check" AND l.id > o.id)`;
        await tx.$executeRaw`
        INSERT INTO override_batches (id, user_id, "check", filter, new_verdict, reason, count, undoes_id, request_id)
        VALUES (${id}, ${input.userId}, ${target.check}, ${JSON.stringify(target.filter)}::jsonb, NULL, ${`undo of batch ${input.batchId}`}, ${inserted},
          ${input.batchId}, ${input.requestId})`;
      },
      { timeout: 120_000 },
    );
  } catch (e) {
    // Two undos at once: the unique undoes_id lets one win; the other hears it was already undone.
    if (isUniqueViolation(e) || /override_batches_undoes_id_key|23505/.test(String((e as Error).message))) {
      throw new ConflictError('This batch was already undone', { code: 'already_undone' });
    }
    throw e;
  }
  void refreshFlagScores().catch(() => {});
  return toRow((await batchBy(Prisma.sql`b.id = ${id}`))!);
}

/** The newest batches of a check, for the check page's list with its Undo buttons. */
export async function listOverrideBatches(check: string, limit = 20): Promise<OverrideBatchRow[]> {
  const rows = await db().$queryRaw<RawBatch[]>`
    SELECT b.id, b.user_id AS "userId", u.name AS "userName", b."check", b.filter, b.new_verdict::text AS "newVerdict", b.reason, b.count,
      b.undoes_id AS "undoesId", (SELECT x.id FROM override_batches x WHERE x.undoes_id = b.id) AS "undoneBy", b.request_id AS "requestId",
      b.created_at AS "createdAt"
    FROM override_batches b JOIN users u ON u.id = b.user_id WHERE b."check" = ${check} ORDER BY b.created_at DESC, b.id DESC LIMIT ${limit}`;
  return rows.map(toRow);
}
