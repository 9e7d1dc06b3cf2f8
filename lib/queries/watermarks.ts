// Data access for the watermark check: accounts needing work, their fetched photos, result writes, evidence reads.
import { db, Prisma } from '../db.ts';

export const WATERMARK_CHECK = 'watermark';
export const BORDER_CHECK = 'border';

type Verdict = 'pass' | 'fail' | 'uncertain' | 'error';

/** An account's stored result is current when its version is `${base}/n=${fetched photos}` and not an error. */
export function accountVersion(base: string, fetched: number): string {
  return `${base}/n=${fetched}`;
}

export type PendingAccount = { nsid: string; fetched: number };

/** Accounts with at least `minPhotos` fetched photos whose result is missing, stale or an error; keyset-paged by nsid. */
export async function listWatermarkPending(
  base: string,
  minPhotos: number,
  afterNsid: string | null,
  limit: number,
  only?: string[],
): Promise<PendingAccount[]> {
  const rows = await db().$queryRaw<{ nsid: string; n: number }[]>`
    SELECT a.nsid, c.n
    FROM accounts a
    CROSS JOIN LATERAL (SELECT count(*)::int AS n FROM photos p
      WHERE p.owner_nsid = a.nsid AND p.content_hash IS NOT NULL AND p.availability = 'available') c
    LEFT JOIN account_check_results r ON r.account_nsid = a.nsid AND r."check" = ${WATERMARK_CHECK}
    WHERE (${afterNsid}::text IS NULL OR a.nsid > ${afterNsid}::text)
      AND (${only ?? null}::text[] IS NULL OR a.nsid = ANY(${only ?? null}::text[]))
      AND c.n >= ${minPhotos}
      AND (r.verdict IS NULL OR r.verdict = 'error' OR r.version <> ${base} || '/n=' || c.n)
    ORDER BY a.nsid
    LIMIT ${limit}`;
  return rows.map((r) => ({ nsid: r.nsid, fetched: r.n }));
}

export type WatermarkPhoto = { id: string; contentHash: string; width: number | null; height: number | null };

/** The account's fetched, available photos, with the size of their analysis image. */
export async function getWatermarkPhotos(nsid: string): Promise<WatermarkPhoto[]> {
  return db().$queryRaw<WatermarkPhoto[]>`
    SELECT id, content_hash AS "contentHash", image_width AS width, image_height AS height
    FROM photos
    WHERE owner_nsid = ${nsid} AND content_hash IS NOT NULL AND availability = 'available'
    ORDER BY id`;
}

export type AccountResult = { check: string; verdict: Verdict; score: number | null; details: unknown };
export type PhotoResult = {
  photoId: string;
  check: string;
  verdict: Verdict;
  score: number | null;
  details: unknown;
};

export type WatermarkSave = {
  nsid: string;
  version: string;
  runId: string | null;
  /** The 'watermark' result, also copied to the account's watermark_* columns. */
  watermark: AccountResult;
  /** Other account-level results (the 'border' check). */
  extra: AccountResult[];
  summary: unknown;
  photos: PhotoResult[];
};

/** Writes an account's results in one transaction; its photos' earlier watermark/border results are replaced. */
export async function saveWatermarkResult(s: WatermarkSave): Promise<void> {
  const client = db();
  const accountRows = [s.watermark, ...s.extra];
  await client.$transaction([
    client.$executeRaw`
      INSERT INTO account_check_results (account_nsid, "check", verdict, score, details, version, run_id, computed_at)
      SELECT ${s.nsid}, chk, verdict::"Verdict", score, details::jsonb, ${s.version}, ${s.runId}, now()
      FROM unnest(${accountRows.map((r) => r.check)}::text[], ${accountRows.map((r) => r.verdict)}::text[],
        ${accountRows.map((r) => r.score)}::float8[], ${accountRows.map((r) => JSON.stringify(r.details))}::text[]) AS t(chk, verdict, score, details)
      ON CONFLICT (account_nsid, "check") DO UPDATE SET verdict = EXCLUDED.verdict, score = EXCLUDED.score,
        details = EXCLUDED.details, version = EXCLUDED.version, run_id = EXCLUDED.run_id, computed_at = EXCLUDED.computed_at`,
    client.$executeRaw`
      UPDATE accounts SET
        watermark_score = ${s.watermark.score}, watermark_verdict = ${s.watermark.verdict}::"Verdict",
        watermark_summary = ${JSON.stringify(s.summary)}::jsonb,
        updated_at = now()
      WHERE nsid = ${s.nsid}`,
    client.$executeRaw`
      DELETE FROM check_results
      WHERE "check" IN (${WATERMARK_CHECK}, ${BORDER_CHECK}) AND photo_id IN (SELECT id FROM photos WHERE owner_nsid = ${s.nsid})`,
    client.$executeRaw`
      INSERT INTO check_results (photo_id, "check", verdict, score, details, version, run_id, computed_at)
      SELECT id, chk, verdict::"Verdict", score, details::jsonb, ${s.version}, ${s.runId}, now()
      FROM unnest(${s.photos.map((r) => r.photoId)}::text[], ${s.photos.map((r) => r.check)}::text[],
        ${s.photos.map((r) => r.verdict)}::text[], ${s.photos.map((r) => r.score)}::float8[],
        ${s.photos.map((r) => JSON.stringify(r.details))}::text[]) AS t(id, chk, verdict, score, details)`,
  ]);
}

export type AccountWatermark = {
  verdict: Verdict;
  score: number | null;
  details: unknown;
  version: string;
  computedAt: Date;
};

export async function getAccountWatermark(nsid: string): Promise<AccountWatermark | null> {
  return db().accountCheckResult.findUnique({
    where: { accountNsid_check: { accountNsid: nsid, check: WATERMARK_CHECK } },
    select: { verdict: true, score: true, details: true, version: true, computedAt: true },
  });
}

export type WatermarkPhotoRow = {
  photoId: string;
  contentHash: string | null;
  verdict: Verdict;
  score: number | null;
  details: unknown;
};

/** An account's photos with a watermark result, carriers (fail/uncertain) first by correlation; paged. */
export async function listWatermarkPhotos(
  nsid: string,
  f: { carries?: boolean; page: number; pageSize: number },
): Promise<{ data: WatermarkPhotoRow[]; total: number; page: number; pageSize: number }> {
  const carries = f.carries ?? null;
  const where = Prisma.sql`p.owner_nsid = ${nsid} AND cr."check" = ${WATERMARK_CHECK}
    AND (${carries}::boolean IS NULL OR (cr.verdict IN ('fail', 'uncertain')) = ${carries}::boolean)`;
  const [data, [{ n }]] = await Promise.all([
    db().$queryRaw<WatermarkPhotoRow[]>`
      SELECT cr.photo_id AS "photoId", p.content_hash AS "contentHash", cr.verdict::text AS verdict, cr.score, cr.details
      FROM check_results cr JOIN photos p ON p.id = cr.photo_id
      WHERE ${where}
      ORDER BY (cr.verdict IN ('fail', 'uncertain')) DESC, cr.score DESC NULLS LAST, cr.photo_id
      LIMIT ${f.pageSize} OFFSET ${(f.page - 1) * f.pageSize}`,
    db().$queryRaw<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM check_results cr JOIN photos p ON p.id = cr.photo_id WHERE ${where}`,
  ]);
  return { data, total: n, page: f.page, pageSize: f.pageSize };
}
