// Check review: per-check counts, the photos a check failed or doubted with their evidence, and reviewers' overrides.
import { db, Prisma } from '../db.ts';
import { CHECK_NAMES, type CheckName } from '../checks.ts';
import type { Verdict } from '../generated/prisma/enums.ts';
import { BadRequestError, ConflictError, isUniqueViolation } from '../errors.ts';
import { refreshFlagScores } from './flagScores.ts';

/** `notScored`: photos the check has not judged yet (mid-run, a low "failed" count only means "not there yet"). */
export type CheckSummary = {
  check: CheckName;
  fail: number;
  uncertain: number;
  error: number;
  overridden: number;
  notScored: number;
};

const CLIP = ['clip_nonphoto', 'clip_nonwholesome'];
const ACCOUNT_LEVEL = ['watermark', 'border'];

/**
 * Photos each check still has to judge: the photos it applies to minus its results (counted through the index).
 * CLIP needs a fetched image; the duplicate check a fetched image or a fetch error; the watermark and border checks
 * judge whole accounts with at least `watermarkMinPhotos` fetched photos, so their figure is the photos of such accounts
 * with no account result yet. One pass over photos, grouped by account.
 */
async function countNotScored(watermarkMinPhotos: number): Promise<Map<string, number>> {
  const [e] = await db().$queryRaw<
    {
      all_n: bigint | null;
      fetched: bigint | null;
      dedupable: bigint | null;
      unchecked_accounts: bigint | null;
    }[]
  >`
    WITH per_account AS (
      SELECT owner_nsid, count(*) AS all_n,
        count(*) FILTER (WHERE content_hash IS NOT NULL AND availability = 'available') AS fetched,
        count(*) FILTER (WHERE (availability = 'available' AND phash IS NOT NULL) OR availability = 'error') AS dedupable
      FROM photos GROUP BY owner_nsid)
    SELECT sum(all_n) AS all_n, sum(fetched) AS fetched, sum(dedupable) AS dedupable,
      sum(fetched) FILTER (WHERE fetched >= ${watermarkMinPhotos} AND NOT EXISTS (
        SELECT 1 FROM account_check_results r WHERE r.account_nsid = per_account.owner_nsid AND r."check" = 'watermark')) AS unchecked_accounts
    FROM per_account`;
  const results = await db().$queryRaw<{ check: string; n: bigint }[]>`
    SELECT c AS "check", (SELECT count(*) FROM check_results cr WHERE cr."check" = c) AS n FROM unnest(${CHECK_NAMES}::text[]) c`;
  const out = new Map<string, number>();
  for (const check of CHECK_NAMES) {
    if (ACCOUNT_LEVEL.includes(check)) {
      out.set(check, Number(e?.unchecked_accounts ?? 0));
      continue;
    }
    const eligible = Number(
      (CLIP.includes(check) ? e?.fetched : check === 'duplicate' ? e?.dedupable : e?.all_n) ?? 0,
    );
    const done = Number(results.find((r) => r.check === check)?.n ?? 0);
    out.set(check, Math.max(0, eligible - done));
  }
  return out;
}

/** Counts through the (check, verdict, score) index, one range per cell, so 10M rows are never scanned whole. */
export async function listCheckSummaries(
  opts: { watermarkMinPhotos?: number } = {},
): Promise<CheckSummary[]> {
  const rows = await db().$queryRaw<{ check: string; verdict: string; n: number }[]>`
    SELECT c AS "check", v AS verdict,
      (SELECT count(*)::int FROM check_results cr WHERE cr."check" = c AND cr.verdict = v::"Verdict") AS n
    FROM unnest(${CHECK_NAMES}::text[]) c CROSS JOIN unnest(ARRAY['fail', 'uncertain', 'error']) v`;
  // A photo is overridden while one of its overrides stands. An undo row puts back the state before the batch row it
  // answers (that row was the photo's newest when the undo was written), so the two cancel out: neither counts, and
  // what stands is whatever else remains, e.g. an earlier override, or a batch whose own undo had skipped the photo.
  const over = await db().$queryRaw<{ check: string; n: number }[]>`
    SELECT o."check", count(DISTINCT o.photo_id)::int AS n
    FROM overrides o LEFT JOIN override_batches b ON b.id = o.batch_id
    WHERE o.photo_id IS NOT NULL AND b.undoes_id IS NULL
      AND NOT EXISTS (
        SELECT 1 FROM override_batches ub JOIN overrides u ON u.batch_id = ub.id
        WHERE ub.undoes_id = o.batch_id AND u.photo_id = o.photo_id AND u."check" = o."check")
    GROUP BY o."check"`;
  const notScored = await countNotScored(opts.watermarkMinPhotos ?? 8);
  return CHECK_NAMES.map((check) => {
    const get = (v: string) => rows.find((r) => r.check === check && r.verdict === v)?.n ?? 0;
    return {
      check,
      fail: get('fail'),
      uncertain: get('uncertain'),
      error: get('error'),
      overridden: over.find((o) => o.check === check)?.n ?? 0,
      notScored: notScored.get(check) ?? 0,
    };
  });
}

export type CheckPhotoFilter = {
  verdict?: 'fail' | 'uncertain';
  status?: 'open' | 'overridden';
  minScore?: number;
  maxScore?: number;
  account?: string;
  license?: number;
  page: number;
  pageSize: number;
};

export type CheckPhoto = {
  photoId: string;
  ownerNsid: string;
  contentHash: string | null;
  title: string;
  license: number;
  width: number | null;
  height: number | null;
  verdict: Verdict;
  score: number | null;
  details: Record<string, unknown>;
  effective: Verdict;
  override: { verdict: Verdict; by: string | null; at: string } | null;
  duplicateOf: { id: string; contentHash: string | null; ownerNsid: string } | null;
  accountWatermarkBox: unknown;
};

export type CheckPhotoPage = { data: CheckPhoto[]; total: number; page: number; pageSize: number };

export type CheckPhotoCriteria = Omit<CheckPhotoFilter, 'page' | 'pageSize'>;

/**
 * The check page's filter as a condition on `cr` (check_results) and `p` (photos). "Open" and "overridden" (Reviewed)
 * ask whether an override of the (photo, check) stands, by listCheckSummaries's rule: an undo row and the batch row it
 * answers cancel out. PostgreSQL answers it with index probes or an anti-join instead of fetching the newest override of
 * every candidate.
 */
function checkPhotosWhere(check: CheckName, f: CheckPhotoCriteria, verdict: Prisma.Sql): Prisma.Sql {
  const overridden = Prisma.sql`EXISTS (SELECT 1 FROM overrides o LEFT JOIN override_batches b ON b.id = o.batch_id
    WHERE o.photo_id = cr.photo_id AND o."check" = cr."check" AND b.undoes_id IS NULL
      AND NOT EXISTS (
        SELECT 1 FROM override_batches ub JOIN overrides u ON u.batch_id = ub.id
        WHERE ub.undoes_id = o.batch_id AND u.photo_id = o.photo_id AND u."check" = o."check"))`;
  return Prisma.join(
    [
      Prisma.sql`cr."check" = ${check}`,
      verdict,
      f.minScore !== undefined ? Prisma.sql`cr.score >= ${f.minScore}` : Prisma.sql`true`,
      f.maxScore !== undefined ? Prisma.sql`cr.score <= ${f.maxScore}` : Prisma.sql`true`,
      f.account ? Prisma.sql`p.owner_nsid = ${f.account}` : Prisma.sql`true`,
      f.license !== undefined ? Prisma.sql`p.license = ${f.license}` : Prisma.sql`true`,
      f.status === 'open'
        ? Prisma.sql`NOT ${overridden}`
        : f.status === 'overridden'
          ? overridden
          : Prisma.sql`true`,
    ],
    ' AND ',
  );
}

const verdictSql = (f: CheckPhotoCriteria) =>
  f.verdict
    ? Prisma.sql`cr.verdict = ${f.verdict}::"Verdict"`
    : Prisma.sql`cr.verdict IN ('fail', 'uncertain')`;

/** The newest override of the (photo, check) `cr` with its reviewer's name, as `lo`. */
const NEWEST_OVERRIDE = Prisma.sql`LEFT JOIN LATERAL (SELECT o.new_verdict, o.created_at, u.name FROM overrides o LEFT JOIN users u ON u.id = o.user_id
      WHERE o.photo_id = cr.photo_id AND o."check" = cr."check" ORDER BY o.created_at DESC, o.id DESC LIMIT 1) lo ON true`;

/**
 * The check page's filter as SQL: `FROM check_results cr JOIN photos p … WHERE …`, with `lo` the photo's newest override
 * for the check. The page, its count and a bulk override over every match all read this one definition.
 */
export function checkPhotosFromSql(
  check: CheckName,
  f: CheckPhotoCriteria,
  extra: Prisma.Sql = Prisma.empty,
): Prisma.Sql {
  return Prisma.sql`
    FROM check_results cr JOIN photos p ON p.id = cr.photo_id
    ${NEWEST_OVERRIDE}
    ${extra}
    WHERE ${checkPhotosWhere(check, f, verdictSql(f))}`;
}

/**
 * The photos `check` failed or was uncertain about, highest score first, with the newest override of each.
 * At 10M photos a check flags ~1M: the page is picked per verdict in the (check, verdict, score) index's order (each
 * branch stops after offset + pageSize rows) and only the picked rows are joined to their details; the count joins
 * photos only when the filter reads them.
 */
export async function listCheckPhotos(check: CheckName, f: CheckPhotoFilter): Promise<CheckPhotoPage> {
  const verdicts: Verdict[] = f.verdict ? [f.verdict] : ['fail', 'uncertain'];
  const upTo = f.page * f.pageSize;
  const branches = verdicts.map(
    (v) => Prisma.sql`(SELECT cr.photo_id, cr.score FROM check_results cr JOIN photos p ON p.id = cr.photo_id
      WHERE ${checkPhotosWhere(check, f, Prisma.sql`cr.verdict = ${v}::"Verdict"`)}
      ORDER BY cr.score DESC NULLS FIRST, cr.photo_id LIMIT ${upTo})`,
  );
  const rows = await db().$queryRaw<
    (Omit<CheckPhoto, 'override' | 'duplicateOf'> & {
      oVerdict: Verdict | null;
      oBy: string | null;
      oAt: Date | null;
      dupId: string | null;
      dupHash: string | null;
      dupOwner: string | null;
    })[]
  >`
    WITH picked AS (
      SELECT photo_id FROM (${Prisma.join(branches, ' UNION ALL ')}) b
      ORDER BY score DESC NULLS FIRST, photo_id LIMIT ${f.pageSize} OFFSET ${(f.page - 1) * f.pageSize})
    SELECT cr.photo_id AS "photoId", p.owner_nsid AS "ownerNsid", p.content_hash AS "contentHash", p.title, p.license,
      p.image_width AS width, p.image_height AS height, cr.verdict::text AS verdict, cr.score, cr.details,
      COALESCE(lo.new_verdict, cr.verdict)::text AS effective, lo.new_verdict::text AS "oVerdict", lo.name AS "oBy", lo.created_at AS "oAt",
      d.id AS "dupId", d.content_hash AS "dupHash", d.owner_nsid AS "dupOwner", a.watermark_summary->'box' AS "accountWatermarkBox"
    FROM picked JOIN check_results cr ON cr.photo_id = picked.photo_id AND cr."check" = ${check}
    JOIN photos p ON p.id = cr.photo_id
    ${NEWEST_OVERRIDE}
    LEFT JOIN photos d ON d.id = COALESCE(p.duplicate_of_id, cr.details->>'duplicateOf') AND cr."check" = 'duplicate'
    LEFT JOIN accounts a ON a.nsid = p.owner_nsid AND cr."check" = 'watermark'
    ORDER BY cr.score DESC NULLS FIRST, cr.photo_id`;
  const needsPhotos = f.account !== undefined || f.license !== undefined;
  const [{ n }] = await db().$queryRaw<{ n: number }[]>`
    SELECT count(*)::int AS n FROM check_results cr ${needsPhotos ? Prisma.sql`JOIN photos p ON p.id = cr.photo_id` : Prisma.empty}
    WHERE ${checkPhotosWhere(check, f, verdictSql(f))}`;
  return {
    data: rows.map(({ oVerdict, oBy, oAt, dupId, dupHash, dupOwner, ...r }) => ({
      ...r,
      override: oVerdict ? { verdict: oVerdict, by: oBy, at: oAt!.toISOString() } : null,
      duplicateOf: dupId ? { id: dupId, contentHash: dupHash, ownerNsid: dupOwner! } : null,
    })),
    total: n,
    page: f.page,
    pageSize: f.pageSize,
  };
}

export type OverrideInput = {
  userId: string;
  photoIds: string[];
  check: CheckName;
  newVerdict: Verdict;
  reason?: string | null;
  requestId: string;
};

export type OverrideResult = {
  overridden: { photoId: string; oldVerdict: Verdict; newVerdict: Verdict }[];
  skipped: string[];
};

/**
 * Appends one override per photo, recording the effective verdict it replaces. Rows carry `<requestId>:<n>`, so a
 * retried request is recognised and answered with the first one's rows.
 */
export async function overridePhotos(input: OverrideInput): Promise<OverrideResult> {
  const ids = [...new Set(input.photoIds)];
  if (ids.length === 0) throw new BadRequestError('photoIds: at least one photo');
  const earlier = await priorResult(input, ids);
  if (earlier) return earlier;
  try {
    const result = await record(input, ids);
    // The override is committed; a failed refresh only leaves the score to the next batch or override.
    await refreshFlagScores().catch(() => {});
    return result;
  } catch (e) {
    const first = isUniqueViolation(e) ? await priorResult(input, ids) : null;
    if (!first) throw e;
    return first;
  }
}

async function priorResult(input: OverrideInput, ids: string[]): Promise<OverrideResult | null> {
  // C collation (initdb --locale=C) lets this prefix match use the request_id unique index.
  const prior = await db().override.findMany({
    where: { requestId: { startsWith: `${input.requestId}:` } },
    orderBy: { id: 'asc' },
  });
  if (!prior.length) return null;
  // The id answers only its own request (same user, check, verdict, photos): never another reviewer's rows.
  const wanted = new Set(ids);
  if (
    prior.some(
      (o) =>
        o.userId !== input.userId ||
        o.check !== input.check ||
        o.newVerdict !== input.newVerdict ||
        !wanted.has(o.photoId!),
    )
  ) {
    throw new ConflictError('This request id was already used for a different request; send a new one', {
      code: 'request_id_reused',
    });
  }
  return {
    overridden: prior.map((o) => ({
      photoId: o.photoId!,
      oldVerdict: o.oldVerdict!,
      newVerdict: o.newVerdict,
    })),
    skipped: ids.filter((id) => !prior.some((o) => o.photoId === id)),
  };
}

async function record(input: OverrideInput, ids: string[]): Promise<OverrideResult> {
  return db().$transaction(async (tx) => {
    const current = await tx.$queryRaw<{ photoId: string; verdict: Verdict }[]>`
      SELECT e.photo_id AS "photoId", e.verdict::text AS verdict FROM effective_verdicts e
      WHERE e."check" = ${input.check} AND e.photo_id = ANY(${ids}::text[])
      ORDER BY e.photo_id`;
    const data = current.map((c, i) => ({
      userId: input.userId,
      photoId: c.photoId,
      check: input.check,
      oldVerdict: c.verdict,
      newVerdict: input.newVerdict,
      reason: input.reason || null,
      requestId: `${input.requestId}:${i}`,
    }));
    if (data.length) await tx.override.createMany({ data });
    const found = new Set(current.map((c) => c.photoId));
    return {
      overridden: current.map((c) => ({
        photoId: c.photoId,
        oldVerdict: c.verdict,
        newVerdict: input.newVerdict,
      })),
      skipped: ids.filter((id) => !found.has(id)),
    };
  });
}
