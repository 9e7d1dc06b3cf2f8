// Bulk overrides: one audited batch over every photo a check page's filter matches, and undo as a batch.
import { randomUUID } from 'node:crypto';
import { db, Prisma } from '../db.ts';
import type { CheckName } from '../checks.ts';
import type { Verdict } from '../generated/prisma/enums.ts';
import { ConflictError, isUniqueViolation, NotFoundError } from '../errors.ts';
import { checkPhotoMatchesSql, type CheckPhotoCriteria } from './overrides.ts';
import { foldAccountCheckCounts } from './checkCounts.ts';
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
 * Starts a bulk write: the table lock the override trigger would take anyway for a statement this size (EXCLUSIVE on
 * check_results: re-checks and other overrides wait, reads go on) is taken before the rows to write are read, so no
 * override or re-check of those photos commits between reading a photo's verdict and writing its override; enough
 * memory for the 100k-row sorts and hashes; and no sequential scans: every lookup here has an index, and statistics
 * taken while overrides looked empty (a fresh table, or just after an autovacuum) once turned the per-photo "newest
 * override" lookup into a scan of overrides per photo (minutes for 100k photos).
 */
async function lockForBulk(tx: Tx): Promise<void> {
  await tx.$executeRaw`SET LOCAL work_mem = '64MB'`;
  await tx.$executeRaw`SET LOCAL enable_seqscan = off`;
  await tx.$executeRaw`LOCK TABLE check_results IN EXCLUSIVE MODE`;
}

type Tx = Pick<ReturnType<typeof db>, '$queryRaw' | '$executeRaw'>;

/**
 * Writes a batch: its row first (the overrides' trigger checks that their batch exists, once per statement), then its
 * overrides from the collected temporary table, in one INSERT … SELECT (an undo's rows are gathered the same way).
 */
async function writeBatch(
  tx: Tx,
  source: 'bulk_override_source' | 'undo_override_source',
  batch: Prisma.Sql,
  row: { id: string; userId: string; reason: string | null },
): Promise<void> {
  await tx.$executeRaw`INSERT INTO override_batches (id, user_id, "check", filter, new_verdict, reason, count, undoes_id, request_id) ${batch}`;
  await tx.$executeRaw`
    INSERT INTO overrides (user_id, photo_id, "check", old_verdict, new_verdict, reason, batch_id)
    SELECT ${row.userId}, photo_id, "check", old_verdict, new_verdict, ${row.reason}, ${row.id}
    FROM ${Prisma.raw(source)}`;
}

/**
 * Overrides every photo the filter matches (not only the page) in one transaction: the matches with the effective
 * verdict each replaces are collected first, counted against the count the reviewer confirmed, then written as one
 * audited batch (the batch row: who, when, why, the filter and the count; each override row: its batch id, who, when
 * and why). The flag scores are refreshed after the commit, as for any override.
 */
export async function bulkOverride(input: BulkOverrideInput): Promise<OverrideBatchRow> {
  const earlier = await prior(input.requestId, input.userId);
  if (earlier) return earlier;
  const id = randomUUID();
  const reason = input.reason || null;
  await db().$transaction(
    async (tx) => {
      await lockForBulk(tx);
      // Collected before the INSERT: an INSERT reading overrides (each photo's newest one) while appending to it can
      // re-read its own new rows on every lookup (20k took 7 s, 100k over 2 min). In photo order (see
      // checkPhotoMatchesSql), which the INSERT and its triggers keep.
      const n = await tx.$executeRaw`
      CREATE TEMP TABLE bulk_override_source ON COMMIT DROP AS
      SELECT s.*, ${input.newVerdict}::"Verdict" AS new_verdict FROM (${checkPhotoMatchesSql(input.check, input.filter)}) s`;
      if (n !== input.expectedCount) {
        throw new ConflictError(
          `The filter now matches ${n.toLocaleString('en-US')} photos, not the ${input.expectedCount.toLocaleString('en-US')} you confirmed; nothing was changed`,
          { code: 'count_changed', count: n },
        );
      }
      await writeBatch(
        tx,
        'bulk_override_source',
        Prisma.sql`VALUES (${id}, ${input.userId}, ${input.check}, ${JSON.stringify(input.filter)}::jsonb, ${input.newVerdict}::"Verdict", ${reason}, ${n}, NULL, ${input.requestId})`,
        { id, userId: input.userId, reason },
      );
    },
    { timeout: 120_000 },
  );
  // Not awaited: the accounts' queue order follows within a second (100k overrides touch most accounts and move the
  // uncertain weight, so every score is recomputed), and the reviewer's answer does not wait for it. A failure leaves
  // the scores to the next refresh, as after any override. Then the per-account counts' deltas are folded once they
  // pile up (a batch adds ~1 per account it touched).
  afterBatch();
  return toRow((await batchBy(Prisma.sql`b.id = ${id}`))!);
}

/** The background upkeep still running, one per batch written (see afterBatchesSettled). */
const upkeep = new Set<Promise<void>>();

function afterBatch(): void {
  const p = (async () => {
    await refreshFlagScores().catch(() => {});
    await foldAccountCheckCounts().catch(() => {});
  })();
  upkeep.add(p);
  void p.finally(() => upkeep.delete(p));
}

/**
 * Resolves once the background upkeep of every batch written so far by this process (flag scores, count folding) has
 * finished. The reviewer's answer never waits for it; a benchmark does, so that the next action it times runs alone
 * rather than beside the previous one's refresh (test/bench/review.ts).
 */
export async function afterBatchesSettled(): Promise<void> {
  await Promise.all([...upkeep]);
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
  const reason = `undo of batch ${input.batchId}`;
  try {
    await db().$transaction(
      async (tx) => {
        await lockForBulk(tx);
        // The batch's own rows (indexed by batch_id) that are still their photo's newest override: with the lock
        // held, "newest" cannot change before the INSERT. A later override of a photo can only be one of the rows
        // written after the batch's first (ids grow), read once in id order and hashed, instead of a lookup per row
        // (4 s of a 100k undo). Hashed whatever the statistics say: when overrides looked empty (reltuples 0 after an
        // autovacuum removed an aborted bulk INSERT's rows), the planner rescanned `later` (or, in the earlier
        // per-row form, the whole photo index) once per batch row: the minutes-long undos seen on dev databases.
        await tx.$executeRaw`SET LOCAL enable_nestloop = off`;
        const n = await tx.$executeRaw`
        CREATE TEMP TABLE undo_override_source ON COMMIT DROP AS
        WITH later AS MATERIALIZED (
          SELECT l.photo_id, l."check", l.id FROM overrides l
          WHERE l.id > (SELECT min(b.id) FROM overrides b WHERE b.batch_id = ${input.batchId})
            AND l.batch_id IS DISTINCT FROM ${input.batchId} AND l.photo_id IS NOT NULL)
        SELECT o.photo_id, o."check", o.new_verdict AS old_verdict, o.old_verdict AS new_verdict
        FROM overrides o
        WHERE o.batch_id = ${input.batchId} AND o.old_verdict IS NOT NULL
          AND NOT EXISTS (SELECT 1 FROM later l WHERE l.photo_id = o.photo_id AND l."check" = o."check" AND l.id > o.id)
        ORDER BY o.photo_id`;
        await tx.$executeRaw`RESET enable_nestloop`;
        await writeBatch(
          tx,
          'undo_override_source',
          Prisma.sql`VALUES (${id}, ${input.userId}, ${target.check}, ${JSON.stringify(target.filter)}::jsonb, NULL, ${reason}, ${n}, ${input.batchId}, ${input.requestId})`,
          { id, userId: input.userId, reason },
        );
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
  afterBatch();
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
