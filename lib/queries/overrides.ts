// Check review: per-check counts, the photos a check failed or doubted with their evidence, and reviewers' overrides.
import { db, Prisma } from '../db.ts';
import { CHECK_NAMES, type CheckName } from '../checks.ts';
import type { Verdict } from '../generated/prisma/enums.ts';
import { BadRequestError, ConflictError, isUniqueViolation } from '../errors.ts';
import {
  type CheckCountRow,
  type CheckPhotoCriteria,
  checkCountsByCheck,
  maintainedCheckPhotoCount,
} from './checkCounts.ts';
import { refreshFlagScores } from './flagScores.ts';
import { inForceJoin } from '../inclusion.ts';

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
 * Photos each check still has to judge: the photos it applies to minus its results.
 * CLIP needs a fetched image; the duplicate check a fetched image or a fetch error; the watermark and border checks
 * judge whole accounts with at least `watermarkMinPhotos` fetched photos, so their figure is the photos of such accounts
 * with no account result yet. From the per-account photo counts the photos triggers keep
 * (prisma/migrations/20261205222000_check_counts) and the maintained result counts (`resultsOf`).
 */
async function countNotScored(
  watermarkMinPhotos: number,
  resultsOf: (check: string) => number,
): Promise<Map<string, number>> {
  const [e] = await db().$queryRaw<
    {
      all_n: bigint | null;
      fetched: bigint | null;
      dedupable: bigint | null;
      unchecked_accounts: bigint | null;
    }[]
  >`
    SELECT sum(photos) AS all_n, sum(fetched) AS fetched, sum(dedupable) AS dedupable,
      sum(fetched) FILTER (WHERE fetched >= ${watermarkMinPhotos} AND r.account_nsid IS NULL) AS unchecked_accounts
    FROM quarry_internal.account_photo_counts c
    LEFT JOIN account_check_results r ON r.account_nsid = c.account_nsid AND r."check" = 'watermark'`;
  const out = new Map<string, number>();
  for (const check of CHECK_NAMES) {
    if (ACCOUNT_LEVEL.includes(check)) {
      out.set(check, Number(e?.unchecked_accounts ?? 0));
      continue;
    }
    const eligible = Number(
      (CLIP.includes(check) ? e?.fetched : check === 'duplicate' ? e?.dedupable : e?.all_n) ?? 0,
    );
    const done = resultsOf(check);
    out.set(check, Math.max(0, eligible - done));
  }
  return out;
}

/**
 * Per check: results by automatic verdict, photos with a standing override, photos not judged yet. From the maintained
 * counts (lib/queries/checkCounts.ts), not from the 77M results at 10M photos.
 */
export async function listCheckSummaries(
  opts: { watermarkMinPhotos?: number } = {},
): Promise<CheckSummary[]> {
  const counts = await checkCountsByCheck();
  const notScored = await countNotScored(opts.watermarkMinPhotos ?? 8, (check) =>
    sumOf(counts, (r) => r.check === check),
  );
  return CHECK_NAMES.map((check) => ({
    check,
    fail: sumOf(counts, (r) => r.check === check && r.verdict === 'fail'),
    uncertain: sumOf(counts, (r) => r.check === check && r.verdict === 'uncertain'),
    error: sumOf(counts, (r) => r.check === check && r.verdict === 'error'),
    overridden: sumOf(counts, (r) => r.check === check && r.overridden),
    notScored: notScored.get(check) ?? 0,
  }));
}

const sumOf = (rows: CheckCountRow[], pick: (r: CheckCountRow) => boolean) =>
  rows.reduce((n, r) => (pick(r) ? n + r.n : n), 0);

export type CheckPhotoFilter = CheckPhotoCriteria & { page: number; pageSize: number };

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

export type { CheckPhotoCriteria };

/**
 * The check page's filter as a condition on `cr` (check_results) and `p` (photos). "Open" and "overridden" (Reviewed)
 * ask whether an override of the (photo, check) stands: the standing_overrides view (migration
 * 20261206100000_standing_overrides), where an undone batch's row and the undo row answering it cancel out. The same view
 * keeps the maintained tables the pages read (photo_flags.overridden, overridden_results, the counts).
 */
function checkPhotosWhere(check: CheckName, f: CheckPhotoCriteria, verdict: Prisma.Sql): Prisma.Sql {
  const overridden = Prisma.sql`EXISTS (SELECT 1 FROM standing_overrides o WHERE o.photo_id = cr.photo_id AND o."check" = cr."check")`;
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

const IN_FORCE = inForceJoin(Prisma.sql`cr.photo_id`, Prisma.sql`cr."check"`, 'lo');

/**
 * The check page's filter evaluated over the whole tables: `FROM check_results cr JOIN photos p … WHERE …`, with `lo`
 * the photo's override in force for the check (inForceJoin). The pages read maintained tables and indexes instead (at
 * 10M photos this tests every result of the check); the agreement test holds them to this definition.
 */
export function checkPhotosFromSql(check: CheckName, f: CheckPhotoCriteria): Prisma.Sql {
  return Prisma.sql`
    FROM check_results cr JOIN photos p ON p.id = cr.photo_id
    ${IN_FORCE}
    WHERE ${checkPhotosWhere(check, f, verdictSql(f))}`;
}

/**
 * Every photo the check page's filter matches (a bulk override's rows: the page and its count read the same
 * checkPhotosWhere) with the verdict in force, `(photo_id, check, old_verdict)` in photo order. The matches are sorted
 * before each one's newest override is looked up, so the 100k lookups walk the overrides index in order (twice as fast
 * as in the results index's score order), and the rows come out in the order the INSERT fills the photo index. Photos
 * are joined only when the filter reads them (every result has its photo).
 */
export function checkPhotoMatchesSql(check: CheckName, f: CheckPhotoCriteria): Prisma.Sql {
  const needsPhotos = f.account !== undefined || f.license !== undefined;
  return Prisma.sql`
    WITH m AS MATERIALIZED (
      SELECT cr.photo_id, cr."check", cr.verdict
      FROM check_results cr ${needsPhotos ? Prisma.sql`JOIN photos p ON p.id = cr.photo_id` : Prisma.empty}
      WHERE ${checkPhotosWhere(check, f, verdictSql(f))}
      ORDER BY cr.photo_id)
    SELECT m.photo_id, m."check", COALESCE(lo.new_verdict, m.verdict) AS old_verdict
    FROM m ${inForceJoin(Prisma.sql`m.photo_id`, Prisma.sql`m."check"`, 'lo')}`;
}

const ORDER = Prisma.sql`ORDER BY score DESC NULLS FIRST, photo_id`;

/**
 * Where the results of `check` with automatic verdict `v` matching `f` are read from: one or two `<table> fl … WHERE …`
 * sources, each with an index in page order, so a page (pageBranch) reads in order and stops, none tests the whole
 * check's ~1M results (at 10M photos) for a selective filter, and a deep page reads index entries only (the check's own
 * (check, verdict, score) index leaves the photo id to the table: 10,000 row fetches for page 50). Both tables carry
 * the photo's account and licence (migration 20261206180000_flag_license), so a filter by either reads that range of a
 * page index: probing photos for the licence of each flag read in score order took ~40k probes for a page of a licence
 * 0.5 % of the photos carry.
 * - results with no standing override from photo_flags (such a flag's verdict and score are the check's own), by
 *   check or by account and check;
 * - results with one from quarry_internal.overridden_results (20261205222020_overridden_results).
 * The two parts are disjoint, and together every result with verdict `v`.
 */
function branchSources(
  check: CheckName,
  f: CheckPhotoCriteria,
  v: Verdict,
  bucket?: number,
  outside?: Prisma.Sql,
): { sql: Prisma.Sql; stands: boolean }[] {
  const parts: { sql: Prisma.Sql; stands: boolean }[] = [];
  const score = Prisma.join(
    [
      ...(outside
        ? [outside]
        : [
            f.minScore !== undefined ? Prisma.sql`fl.score >= ${f.minScore}` : Prisma.sql`true`,
            f.maxScore !== undefined ? Prisma.sql`fl.score <= ${f.maxScore}` : Prisma.sql`true`,
          ]),
      ...(bucket === undefined ? [] : inBucket(bucket)),
    ],
    ' AND ',
  );
  const license = f.license !== undefined ? Prisma.sql`fl.license = ${f.license}` : Prisma.sql`true`;
  if (f.status !== 'overridden') {
    parts.push({
      stands: false,
      sql: Prisma.sql`photo_flags fl
      WHERE ${Prisma.join(
        [
          f.account !== undefined ? Prisma.sql`fl.owner_nsid = ${f.account}` : Prisma.sql`true`,
          license,
          Prisma.sql`fl."check" = ${check} AND NOT fl.overridden AND fl.verdict = ${v}::"Verdict"`,
          score,
        ],
        ' AND ',
      )}`,
    });
  }
  if (f.status !== 'open') {
    parts.push({
      stands: true,
      sql: Prisma.sql`quarry_internal.overridden_results fl
      WHERE ${Prisma.join(
        [
          f.account !== undefined ? Prisma.sql`fl.owner_nsid = ${f.account}` : Prisma.sql`true`,
          license,
          Prisma.sql`fl."check" = ${check} AND fl.verdict = ${v}::"Verdict"`,
          score,
        ],
        ' AND ',
      )}`,
    });
  }
  return parts;
}

/**
 * The results in one score bucket (quarry_score_bucket), with bounds on the score around it so the page indexes read
 * just that range (1e-9: a bucket's edge as the SQL computes it may differ from b/100 in the last bits).
 */
function inBucket(b: number): Prisma.Sql[] {
  return [
    Prisma.sql`quarry_score_bucket(fl.score) = ${b}`,
    b >= 0 ? Prisma.sql`fl.score >= ${b / 100 - 1e-9}` : Prisma.sql`true`,
    b <= 99 ? Prisma.sql`fl.score < ${(b + 1) / 100 + 1e-9}` : Prisma.sql`true`,
  ];
}

/**
 * The first `upTo` results of each source, in page order, each with whether an override of it stands (which source it
 * came from: branchSources' photo_flags part holds the results with none standing).
 */
function pageBranch(check: CheckName, f: CheckPhotoCriteria, v: Verdict, upTo: number): Prisma.Sql[] {
  return branchSources(check, f, v).map(
    (from) =>
      Prisma.sql`(SELECT fl.photo_id, fl.score, ${Prisma.raw(from.stands ? 'true' : 'false')} AS stands FROM ${from.sql} ${ORDER} LIMIT ${upTo})`,
  );
}

/**
 * Rows a page's details query reads (the page's rows are split into that many per query, read side by side on pooled
 * connections: DATABASE_POOL_SIZE bounds them). Each row is a few random reads (its result, its photo, their index
 * pages), which one query makes one after another: at 10M photos a 1,000-row page read cold spent ~160 of its ~240 ms
 * waiting on them, one at a time.
 */
const DETAIL_ROWS_PER_QUERY = 250;

type DetailRow = Omit<CheckPhoto, 'override' | 'duplicateOf'> & {
  oVerdict: Verdict | null;
  oBy: string | null;
  oAt: Date | null;
  dupId: string | null;
  dupHash: string | null;
  dupOwner: string | null;
};

/** The details of some picked rows of a check page, in page order. */
function pageDetails(check: CheckName, rows: { photo_id: string; stands: boolean }[]): Promise<DetailRow[]> {
  return db().$queryRaw<DetailRow[]>`
    WITH picked AS (
      SELECT * FROM unnest(${rows.map((r) => r.photo_id)}::text[], ${rows.map((r) => r.stands)}::boolean[]) AS t(photo_id, stands))
    SELECT cr.photo_id AS "photoId", p.owner_nsid AS "ownerNsid", p.content_hash AS "contentHash", p.title, p.license,
      p.image_width AS width, p.image_height AS height, cr.verdict::text AS verdict, cr.score, cr.details,
      COALESCE(lo.new_verdict, cr.verdict)::text AS effective, lo.new_verdict::text AS "oVerdict", u.name AS "oBy", so.created_at AS "oAt",
      d.id AS "dupId", d.content_hash AS "dupHash", d.owner_nsid AS "dupOwner", a.box AS "accountWatermarkBox"
    FROM picked JOIN check_results cr ON cr.photo_id = picked.photo_id AND cr."check" = ${check}
    JOIN photos p ON p.id = cr.photo_id
    ${inForceJoin(Prisma.sql`cr.photo_id`, Prisma.sql`cr."check"`, 'lo', Prisma.sql`picked.stands`)}
    LEFT JOIN overrides so ON so.id = lo.id
    LEFT JOIN users u ON u.id = so.user_id
    LEFT JOIN photos d ON d.id = COALESCE(p.duplicate_of_id, cr.details->>'duplicateOf') AND cr."check" = 'duplicate'
    -- Per picked row (OFFSET 0 keeps it a lookup): joined plainly, a page whose ~200 rows the planner took for ~2,000 got
    -- a hash of all 100k accounts, ~160 ms of a 230 ms page at 10M photos, for a join every other check discards.
    LEFT JOIN LATERAL (SELECT a.watermark_summary->'box' AS box FROM accounts a
      WHERE a.nsid = p.owner_nsid AND cr."check" = 'watermark' OFFSET 0) a ON true
    ORDER BY cr.score DESC NULLS FIRST, cr.photo_id`;
}

/**
 * The photos `check` failed or was uncertain about, highest score first, with the verdict in force and the override
 * in force (the newest standing one) of each: after an undo that is none (the undo row only put the earlier verdict
 * back); the drawer lists every row.
 * At 10M photos a check flags ~1M: the page is picked per verdict in the (check, verdict, score) index's order (each
 * branch stops after offset + pageSize rows) and only the picked rows are joined to their details (pageDetails, a
 * large page's in parts side by side); the count joins photos only when the filter reads them.
 */
export async function listCheckPhotos(check: CheckName, f: CheckPhotoFilter): Promise<CheckPhotoPage> {
  const verdicts: Verdict[] = f.verdict ? [f.verdict] : ['fail', 'uncertain'];
  const upTo = f.page * f.pageSize;
  const told = await maintainedCheckPhotoCount(check, f);
  let n = told?.n ?? (await liveCount(check, f));
  for (const e of told?.edges ?? []) n += await edgeCount(check, f, e);
  if (n <= (f.page - 1) * f.pageSize) return { data: [], total: n, page: f.page, pageSize: f.pageSize };
  const branches = verdicts.map((v) => pageBranch(check, f, v, upTo));
  const picked = await db().$queryRaw<{ photo_id: string; stands: boolean }[]>`
    SELECT photo_id, stands FROM (${Prisma.join(branches.flat(), ' UNION ALL ')}) b
    ORDER BY score DESC NULLS FIRST, photo_id LIMIT ${f.pageSize} OFFSET ${(f.page - 1) * f.pageSize}`;
  const parts: (typeof picked)[] = [];
  for (let i = 0; i < picked.length; i += DETAIL_ROWS_PER_QUERY)
    parts.push(picked.slice(i, i + DETAIL_ROWS_PER_QUERY));
  const rows = (await Promise.all(parts.map((part) => pageDetails(check, part)))).flat();
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

/**
 * A count the maintained counts do not tell (an account with a score range), or the part they leave to the caller (the
 * results of one edge bucket of a score range): the page's own sources counted, each through its page index (a score
 * range is a range of it, an account its prefix).
 */
async function liveCount(
  check: CheckName,
  f: CheckPhotoCriteria,
  bucket?: number,
  outside?: Prisma.Sql,
): Promise<number> {
  const verdicts: Verdict[] = f.verdict ? [f.verdict] : ['fail', 'uncertain'];
  const counts = verdicts.flatMap((v) =>
    branchSources(check, f, v, bucket, outside).map((from) => Prisma.sql`(SELECT count(*) FROM ${from.sql})`),
  );
  const [{ n }] = await db().$queryRaw<{ n: number }[]>`SELECT (${Prisma.join(counts, ' + ')})::int AS n`;
  return n;
}

/**
 * The results of a score range's end bucket that lie inside the range. Counted live, the side of the bucket the range
 * leaves out when that is the narrower one (the bucket's whole count, `total`, is maintained): a bound on a bucket's
 * edge, as the page's own "≥ 0.9" is, then counts a sliver instead of the whole bucket (at 10M photos one check's
 * bucket 90 held enough results to take 350 ms).
 */
async function edgeCount(
  check: CheckName,
  f: CheckPhotoCriteria,
  e: { bucket: number; total: number; cut: 'low' | 'high' | 'both' },
): Promise<number> {
  if (e.cut === 'both') return liveCount(check, f, e.bucket);
  const bound = e.cut === 'low' ? f.minScore! : f.maxScore!;
  const at = bound * 100 - e.bucket; // where the bound cuts the bucket: 0 at its low edge, 1 at its high
  if ((e.cut === 'low' ? 1 - at : at) <= 0.5) return liveCount(check, f, e.bucket);
  const outside = e.cut === 'low' ? Prisma.sql`fl.score < ${bound}` : Prisma.sql`fl.score > ${bound}`;
  return e.total - (await liveCount(check, f, e.bucket, outside));
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

/**
 * One INSERT over the photos' verdicts in force (each result's verdict unless an override of it stands): atomic on its
 * own, so no interactive transaction (whose 5 s timeout a 1,000-photo override of a large account overran on a machine
 * at load 16, and the action failed) and no round trips while the rows are held. The override triggers do their work inside the statement.
 */
async function record(input: OverrideInput, ids: string[]): Promise<OverrideResult> {
  const rows = await db().$queryRaw<{ photoId: string; oldVerdict: Verdict }[]>`
    INSERT INTO overrides (user_id, photo_id, "check", old_verdict, new_verdict, reason, request_id)
    SELECT ${input.userId}, cr.photo_id, cr."check", COALESCE(lo.new_verdict, cr.verdict), ${input.newVerdict}::"Verdict",
      ${input.reason || null}, ${input.requestId} || ':' || (row_number() OVER (ORDER BY cr.photo_id) - 1)
    FROM check_results cr ${IN_FORCE}
    WHERE cr."check" = ${input.check} AND cr.photo_id = ANY(${ids}::text[])
    ORDER BY cr.photo_id
    RETURNING photo_id AS "photoId", old_verdict::text AS "oldVerdict"`;
  rows.sort((x, y) => (x.photoId < y.photoId ? -1 : x.photoId > y.photoId ? 1 : 0));
  const found = new Set(rows.map((r) => r.photoId));
  return {
    overridden: rows.map((r) => ({
      photoId: r.photoId,
      oldVerdict: r.oldVerdict,
      newVerdict: input.newVerdict,
    })),
    skipped: ids.filter((id) => !found.has(id)),
  };
}
