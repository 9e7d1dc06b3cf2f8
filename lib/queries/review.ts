// Account review: the queue of the top accounts, leases that keep two reviewers off one account, and an account's page data.
import { db, Prisma } from '../db.ts';
import type { ReviewStatus } from '../generated/prisma/enums.ts';
import { ConflictError, NotFoundError } from '../errors.ts';
import type { QueueOrder } from '../reviewVocabulary.ts';

/** `goldRate`: the chance a claim serves a known-answer account the reviewer has not answered (0 or absent: never). */
export type LeaseOptions = { topN: number; leaseMinutes: number; goldRate?: number };

function orderSql(order: QueueOrder): Prisma.Sql {
  if (order === 'flag') return Prisma.sql`flag_score DESC, rank ASC`;
  if (order === 'watermark') return Prisma.sql`watermark_score DESC NULLS LAST, rank ASC`;
  return Prisma.sql`rank ASC`;
}

export type QueueRow = {
  nsid: string;
  username: string | null;
  realName: string | null;
  photoCount: number;
  rank: number;
  reviewStatus: ReviewStatus;
  reviewReason: string | null;
  reviewedAt: string | null;
  flagScore: number;
  watermarkScore: number | null;
  leaseHolder: string | null;
  leaseMine: boolean;
};

export type QueuePage = {
  data: QueueRow[];
  total: number;
  page: number;
  pageSize: number;
  counts: Record<ReviewStatus, number>;
  topN: number;
};

/** The top `topN` accounts by rank, undecided first, in the chosen order. */
export async function listReviewQueue(
  userId: string,
  opts: { topN: number; order: QueueOrder; status?: ReviewStatus; page: number; pageSize: number },
): Promise<QueuePage> {
  // Each review status's accounts in the order's index (20261205222040_queue_order_indexes), up to the page's end,
  // then the page from those few: sorting every account of a 100k queue for each page took 100–300 ms. The watermark
  // order reads scored accounts, then unscored ones (NULLS LAST), as two ranges of its index.
  const upTo = opts.page * opts.pageSize;
  const statuses = opts.status ? [opts.status] : (['pending', 'approved', 'rejected'] as const);
  const range = (status: string, extra: Prisma.Sql, order: Prisma.Sql) =>
    Prisma.sql`(SELECT nsid, review_status, flag_score, watermark_score, rank FROM accounts WHERE review_status = ${status}::"ReviewStatus" AND rank <= ${opts.topN} ${extra}
      ORDER BY ${order}, nsid LIMIT ${upTo})`;
  const ranges = statuses.flatMap((status) =>
    opts.order === 'watermark'
      ? [
          range(status, Prisma.sql`AND watermark_score IS NOT NULL`, Prisma.sql`watermark_score DESC, rank`),
          range(status, Prisma.sql`AND watermark_score IS NULL`, Prisma.sql`rank`),
        ]
      : [range(status, Prisma.empty, orderSql(opts.order))],
  );
  const rows = await db().$queryRaw<
    (Omit<QueueRow, 'reviewedAt' | 'leaseMine'> & { reviewedAt: Date | null; leaseUserId: string | null })[]
  >`
    SELECT a.nsid, a.username, a.real_name AS "realName", a.photo_count AS "photoCount", a.rank,
      a.review_status::text AS "reviewStatus", a.review_reason AS "reviewReason", a.reviewed_at AS "reviewedAt",
      a.flag_score AS "flagScore", a.watermark_score AS "watermarkScore",
      CASE WHEN a.lease_expires_at > now() THEN a.lease_user_id END AS "leaseUserId",
      CASE WHEN a.lease_expires_at > now() THEN u.name END AS "leaseHolder"
    FROM (SELECT nsid FROM (${Prisma.join(ranges, ' UNION ALL ')}) r
      ORDER BY (review_status <> 'pending'), ${orderSql(opts.order)}, nsid
      LIMIT ${opts.pageSize} OFFSET ${(opts.page - 1) * opts.pageSize}) picked
    CROSS JOIN LATERAL (SELECT * FROM accounts x WHERE x.nsid = picked.nsid) a
    LEFT JOIN users u ON u.id = a.lease_user_id
    ORDER BY (a.review_status <> 'pending'), ${orderSql(opts.order)}, a.nsid`;
  const countRows = await db().$queryRaw<{ status: ReviewStatus; n: number }[]>`
    SELECT review_status::text AS status, count(*)::int AS n FROM accounts WHERE rank <= ${opts.topN} GROUP BY review_status`;
  const counts = { pending: 0, approved: 0, rejected: 0 } as Record<ReviewStatus, number>;
  for (const r of countRows) counts[r.status] = r.n;
  return {
    data: rows.map(({ leaseUserId, reviewedAt, ...r }) => ({
      ...r,
      reviewedAt: reviewedAt?.toISOString() ?? null,
      leaseMine: leaseUserId === userId,
    })),
    total: opts.status ? counts[opts.status] : counts.pending + counts.approved + counts.rejected,
    page: opts.page,
    pageSize: opts.pageSize,
    counts,
    topN: opts.topN,
  };
}

export type Lease = { nsid: string; expiresAt: string };

/**
 * Serialises one reviewer's claims, lease takings and undos (never different reviewers'), to the end of the transaction:
 * see quarry_internal.lock_reviewer_leases (20261206200000_reviewable_once), which the claim and the lease functions
 * take too.
 */
export async function lockReviewerLeases(tx: Prisma.TransactionClient, userId: string): Promise<void> {
  await tx.$executeRaw`SELECT quarry_internal.lock_reviewer_leases(${userId})`;
}

/**
 * Claims the next account for `userId` in one statement: the reviewer's own live lease first, else the first pending
 * account nobody holds, locked with SKIP LOCKED so concurrent claims never pick the same row. With `exclude` (the
 * account on screen, those just decided) it reserves the one after: the page prefetches it, and since it is leased,
 * no other reviewer is shown it.
 *
 * A reviewer holds at most two leases: the one claimed now and one other — the account on screen (`exclude[0]`) if they
 * hold it, else their most recently renewed lease. Every other lease of theirs ends in the same statement, so looping
 * `claim` with a growing `exclude` cannot hoard accounts, and concurrent claims of one reviewer run one after the
 * other (the reviewer's lease lock, see lockReviewerLeases). (Keeping the newest rather than strictly `exclude[0]` matters
 * when a page's reservation request lands late, after the page already moved on to another account: it must not
 * release the account now on screen.)
 */
export async function claimNextAccount(
  userId: string,
  order: QueueOrder,
  opts: LeaseOptions,
  exclude: string[] = [],
  pageToken: string | null = null,
): Promise<Lease | null> {
  // One statement, one round trip: the function (20261206160000_claim_in_one_statement, asking review_block since
  // 20261206200000_reviewable_once) takes the reviewer's lease lock and then claims under a fresh snapshot; the lock ends
  // with this statement's transaction.
  const rows = await db().$queryRaw<{ nsid: string; expiresAt: Date }[]>`
    SELECT claimed_nsid AS nsid, expires_at AS "expiresAt" FROM quarry_internal.claim_next_account(
      ${userId}, ${order}, ${opts.topN}::int, ${opts.leaseMinutes * 60}::float8, ${opts.goldRate ?? 0}::float8,
      ${exclude}::text[], ${pageToken}::text)`;
  return rows[0] ? { nsid: rows[0].nsid, expiresAt: rows[0].expiresAt.toISOString() } : null;
}

/**
 * After an undo, in its transaction (which holds lockReviewerLeases): the account is leased to the undoing reviewer only
 * if they may review it (quarry_internal.review_block, as a claim asks), so they can decide it again; an account that is
 * decided again (an earlier decision stands) or waits for an admin gets no lease. Like a claim, it keeps one other lease
 * of theirs at most (the newest), so an undo never hands out a third. True if leased.
 */
export async function leaseAfterUndo(
  tx: Prisma.TransactionClient,
  nsid: string,
  userId: string,
  leaseMinutes: number,
): Promise<boolean> {
  const [row] = await tx.$queryRaw<{ leased: boolean }[]>`
    SELECT quarry_internal.lease_after_undo(${nsid}, ${userId}, ${leaseMinutes * 60}::float8) AS leased`;
  return row.leased;
}

export type LeaseState = {
  held: boolean;
  expiresAt: string | null;
  holder: string | null;
  status: ReviewStatus;
  /**
   * Why the user may not take it now (quarry_internal.review_block): they made the first of its two reviews, it waits
   * for an admin's adjudication, they have answered it (a known-answer account: it still looks pending to them), or
   * it is a known-answer account and they are an admin (admins set the answers; reviewers' answers are scored).
   */
  waiting?: 'second_review' | 'adjudication' | 'answered' | 'known_answer_admin';
};

/**
 * Takes or renews the lease on one account, unless another reviewer holds a live one or the user may not review it
 * (the claim's rule, quarry_internal.review_block). A reviewer holds the account on screen plus the reserved next one
 * (`keep`), so taking one releases any other. An account already decided has nothing to review, so it is refused (409,
 * code `decided`): leasing it would keep it from nobody and give its taker a third lease. A double review's second
 * round is still `pending`, so it is leased as before. One statement (quarry_internal.take_lease): the reviewer's lease
 * lock, the page token's gate, the taking and the release of the other leases in one round trip.
 */
export async function acquireLease(
  nsid: string,
  userId: string,
  leaseMinutes: number,
  keep: string[] = [],
  pageToken: string | null = null,
): Promise<LeaseState> {
  const [row] = await db().$queryRaw<
    {
      held: boolean;
      expiresAt: Date | null;
      status: ReviewStatus;
      holder: string | null;
      blocked: 'answered' | 'decided' | 'second_review' | 'adjudication' | 'known_answer_admin' | null;
    }[]
  >`SELECT held, expires_at AS "expiresAt", status, holder, blocked
    FROM quarry_internal.take_lease(${nsid}, ${userId}, ${leaseMinutes * 60}::float8, ${keep}::text[], ${pageToken}::text)`;
  if (!row) throw new NotFoundError(`Account ${nsid} not found`);
  if (row.blocked === 'decided')
    throw new ConflictError(
      `Account ${nsid} is already ${row.status}: there is nothing to review, so no lease was taken`,
      { code: 'decided', status: row.status },
    );
  return {
    held: row.held,
    expiresAt: row.expiresAt?.toISOString() ?? null,
    holder: row.holder,
    status: row.status,
    ...(row.blocked ? { waiting: row.blocked } : {}),
  };
}

export type ReleaseOutcome = {
  nsid: string;
  released: boolean;
  reason?: 'not leased' | 'not yours' | 'not found' | 'other page';
};

/**
 * Ends the caller's lease on each account and says what happened to each: released, not leased (none, or expired), or
 * not yours (another reviewer's live lease, left untouched). One statement, so it answers for the state it changed.
 * With `pageToken` (a review page being left) it first closes the token, in its own statement so that a claim holding
 * the token's row has committed by then, and also ends every lease taken under that token. A named account the
 * reviewer's other page took under its own token is left to that page ('other page'): a reload's new page renews the
 * account on screen before the old page's beacon may land, and another tab on it keeps it.
 */
export async function releaseLeases(
  nsids: string[],
  userId: string,
  pageToken: string | null = null,
): Promise<ReleaseOutcome[]> {
  if (nsids.length === 0 && !pageToken) return [];
  if (pageToken) {
    await db().$executeRaw`
      INSERT INTO quarry_internal.review_page_tokens (token, user_id, closed_at) VALUES (${pageToken}, ${userId}, now())
      ON CONFLICT (token) DO UPDATE SET closed_at = now() WHERE review_page_tokens.user_id = EXCLUDED.user_id`;
    await db()
      .$executeRaw`DELETE FROM quarry_internal.review_page_tokens WHERE created_at < now() - interval '1 day'`;
  }
  const rows = await db().$queryRaw<
    { nsid: string; mine: boolean; live: boolean; held: boolean; otherPage: boolean }[]
  >`
    WITH target AS (
      SELECT nsid, lease_user_id = ${userId} AS mine, COALESCE(lease_expires_at > now(), false) AS live, lease_user_id IS NOT NULL AS held,
        COALESCE(${pageToken}::text IS NOT NULL AND lease_token <> ${pageToken}::text, false) AS other_page
      FROM accounts WHERE nsid = ANY(${nsids}::text[])
        OR (${pageToken}::text IS NOT NULL AND lease_user_id = ${userId} AND lease_token = ${pageToken}::text) FOR UPDATE),
    done AS (
      UPDATE accounts a SET lease_user_id = NULL, lease_expires_at = NULL, lease_token = NULL FROM target t
      WHERE a.nsid = t.nsid AND t.mine AND NOT t.other_page)
    SELECT nsid, COALESCE(mine, false) AS mine, live, held, other_page AS "otherPage" FROM target`;
  const byNsid = new Map(rows.map((r) => [r.nsid, r]));
  return nsids.map((nsid): ReleaseOutcome => {
    const r = byNsid.get(nsid);
    if (!r) return { nsid, released: false, reason: 'not found' };
    if (r.mine && r.otherPage && r.live) return { nsid, released: false, reason: 'other page' };
    if (r.mine)
      return r.live && !r.otherPage
        ? { nsid, released: true }
        : { nsid, released: false, reason: 'not leased' };
    return r.held && r.live
      ? { nsid, released: false, reason: 'not yours' }
      : { nsid, released: false, reason: 'not leased' };
  });
}

/** Ends every lease the user holds at once (a disabled reviewer's accounts go back to the queue now, not at expiry). */
export async function releaseAllLeases(userId: string): Promise<number> {
  return db()
    .$executeRaw`UPDATE accounts SET lease_user_id = NULL, lease_expires_at = NULL WHERE lease_user_id = ${userId}`;
}

export type SamplePhoto = {
  id: string;
  contentHash: string | null;
  title: string;
  license: number;
  width: number | null;
  height: number | null;
  flagged: boolean;
  flags: { check: string; verdict: 'fail' | 'uncertain'; score: number | null; overridden: boolean }[];
};

export type AccountReview = {
  account: {
    nsid: string;
    username: string | null;
    realName: string | null;
    photoCount: number;
    rank: number | null;
    reviewStatus: ReviewStatus;
    reviewReason: string | null;
    reviewedAt: string | null;
    flagScore: number;
    watermarkScore: number | null;
    watermarkVerdict: string | null;
    watermarkSummary: unknown;
    /** The known answer, for admins only: to anyone else a known-answer account looks like any pending one. */
    gold: { answer: string; reason: string | null } | null;
  };
  lease: { holder: string | null; mine: boolean; expiresAt: string | null };
  licenses: { license: number; count: number }[];
  uploadSpan: { first: string | null; last: string | null };
  checks: { check: string; total: number; fail: number; uncertain: number }[];
  accountChecks: { check: string; verdict: string; score: number | null; details: unknown }[];
  flaggedTotal: number;
  photos: SamplePhoto[];
};

type ReviewJson = {
  checks: AccountReview['checks'] | null;
  flaggedTotal: number;
  photos: (Omit<SamplePhoto, 'flags'> & { flags: SamplePhoto['flags'] | null })[] | null;
};

/**
 * One round trip for the grid: every photo with an effective (override-aware) fail/uncertain verdict, up to
 * `flaggedCap`, plus a stable pseudo-random sample of `sampleSize` photos, and each check's flagged share. Reads the
 * trigger-kept photo_flags and account_check_totals, so its cost follows the account's flagged photos, not its size.
 */
async function sampleAndShares(nsid: string, sampleSize: number, flaggedCap: number): Promise<ReviewJson> {
  const [row] = await db().$queryRaw<{ j: ReviewJson }[]>`
    WITH fl AS MATERIALIZED (SELECT photo_id, "check", verdict::text AS v, score, overridden FROM photo_flags WHERE owner_nsid = ${nsid}),
    counts AS (
      SELECT "check", count(*) FILTER (WHERE v = 'fail') AS fail, count(*) FILTER (WHERE v = 'uncertain') AS uncertain
      FROM fl GROUP BY "check"),
    per_photo AS MATERIALIZED (SELECT photo_id, max(COALESCE(score, 1)) AS s FROM fl GROUP BY photo_id),
    flagged AS MATERIALIZED (SELECT photo_id, s FROM per_photo ORDER BY s DESC, photo_id LIMIT ${flaggedCap}),
    sampled AS (
      SELECT id AS photo_id FROM photos WHERE owner_nsid = ${nsid} AND id NOT IN (SELECT photo_id FROM flagged)
      ORDER BY md5(id) LIMIT ${sampleSize}),
    chosen AS MATERIALIZED (
      SELECT photo_id, true AS flagged, s FROM flagged
      UNION ALL SELECT photo_id, false, NULL FROM sampled),
    -- Sampled photos carry their flags too: a flagged photo past the cap can be drawn into the sample.
    flags AS (
      SELECT photo_id, json_agg(json_build_object('check', "check", 'verdict', v, 'score', score, 'overridden', overridden)
        ORDER BY COALESCE(score, 1) DESC) AS flags
      FROM fl WHERE photo_id IN (SELECT photo_id FROM chosen) GROUP BY photo_id)
    SELECT json_build_object(
      'checks', (SELECT json_agg(json_build_object('check', t."check", 'total', t.total, 'fail', COALESCE(c.fail, 0),
          'uncertain', COALESCE(c.uncertain, 0)) ORDER BY t."check")
        FROM account_check_totals t LEFT JOIN counts c ON c."check" = t."check" WHERE t.account_nsid = ${nsid} AND t.total > 0),
      'flaggedTotal', (SELECT count(*) FROM per_photo),
      'photos', (SELECT json_agg(json_build_object('id', p.id, 'contentHash', p.content_hash, 'title', p.title, 'license', p.license,
          'width', p.image_width, 'height', p.image_height, 'flagged', c.flagged, 'flags', f.flags)
        ORDER BY c.flagged DESC, c.s DESC NULLS LAST, md5(p.id))
        FROM chosen c JOIN photos p ON p.id = c.photo_id LEFT JOIN flags f ON f.photo_id = c.photo_id)
    ) AS j`;
  return row.j;
}

export async function getAccountReview(
  nsid: string,
  userId: string,
  opts: { sampleSize: number; flaggedCap: number; viewerRole?: string },
): Promise<AccountReview> {
  const [acc, licenses, grid] = await Promise.all([
    db().account.findUnique({
      where: { nsid },
      include: {
        leaseUser: { select: { name: true } },
        checkResults: { select: { check: true, verdict: true, score: true, details: true } },
      },
    }),
    db().$queryRaw<{ license: number; count: number; first: Date; last: Date }[]>`
      SELECT license, count(*)::int AS count, min(date_upload) AS first, max(date_upload) AS last
      FROM photos WHERE owner_nsid = ${nsid} GROUP BY license ORDER BY count DESC`,
    sampleAndShares(nsid, opts.sampleSize, opts.flaggedCap),
  ]);
  if (!acc) throw new NotFoundError(`Account ${nsid} not found`);
  const live = acc.leaseExpiresAt !== null && acc.leaseExpiresAt > new Date();
  const firsts = licenses.map((l) => l.first.getTime());
  const lasts = licenses.map((l) => l.last.getTime());
  return {
    account: {
      nsid: acc.nsid,
      username: acc.username,
      realName: acc.realName,
      photoCount: acc.photoCount,
      rank: acc.rank,
      ...(acc.goldAnswer && opts.viewerRole !== 'admin'
        ? { reviewStatus: 'pending' as const, reviewReason: null, reviewedAt: null }
        : {
            reviewStatus: acc.reviewStatus,
            reviewReason: acc.reviewReason,
            reviewedAt: acc.reviewedAt?.toISOString() ?? null,
          }),
      gold:
        acc.goldAnswer && opts.viewerRole === 'admin'
          ? { answer: acc.goldAnswer, reason: acc.goldReason }
          : null,
      flagScore: acc.flagScore,
      watermarkScore: acc.watermarkScore,
      watermarkVerdict: acc.watermarkVerdict,
      watermarkSummary: acc.watermarkSummary,
    },
    lease: {
      holder: live ? (acc.leaseUser?.name ?? null) : null,
      mine: live && acc.leaseUserId === userId,
      expiresAt: live ? acc.leaseExpiresAt!.toISOString() : null,
    },
    licenses: licenses.map((l) => ({ license: l.license, count: l.count })),
    uploadSpan: {
      first: firsts.length ? new Date(Math.min(...firsts)).toISOString() : null,
      last: lasts.length ? new Date(Math.max(...lasts)).toISOString() : null,
    },
    checks: (grid.checks ?? []).map((c) => ({
      ...c,
      total: Number(c.total),
      fail: Number(c.fail),
      uncertain: Number(c.uncertain),
    })),
    accountChecks: acc.checkResults.map((c) => ({
      check: c.check,
      verdict: c.verdict,
      score: c.score,
      details: c.details,
    })),
    flaggedTotal: Number(grid.flaggedTotal),
    photos: (grid.photos ?? []).map((p) => ({ ...p, flags: p.flags ?? [] })),
  };
}
