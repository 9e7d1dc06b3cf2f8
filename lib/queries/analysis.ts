// Analysis queries: the fetch work list and its outcomes, check inputs and results, duplicate-stage columns — batched statements.
import { db } from '../db.ts';
import { TRANSIENT_KINDS, type FetchOutcome, type FetchPhotoInput } from '../domain/fetchOutcome.ts';
import type { CheckOutcome } from '../domain/checkOutcome.ts';
import { CROP_HASH_LENGTH } from '../domain/cropHashLayout.ts';

/** A SQL array of fixed error kinds (our own constants, never user input). */
const kindsArray = (kinds: readonly string[]) => `ARRAY[${kinds.map((k) => `'${k}'`).join(',')}]`;

// Photos still to fetch: never fetched, failed for a reason that may pass (timeouts, 5xx, network), or fetched
// before the fetch stage stored crop hashes of the current window layout (none before its version 2, another
// count of windows since): those are recomputed from a fresh download.
const FETCH_PENDING = `(p.availability = 'unknown' OR (p.availability = 'error' AND split_part(p.fetch_error, ':', 1) = ANY(${kindsArray(TRANSIENT_KINDS)}))
  OR (p.availability = 'available' AND coalesce(cardinality(p.phash_windows), 0) <> ${CROP_HASH_LENGTH}))`;

type FetchRow = {
  id: string;
  url_b: string | null;
  url_c: string | null;
  url_z: string | null;
  url_m: string | null;
  url_o: string | null;
  sizes: unknown;
};
const toFetchInput = (r: FetchRow): FetchPhotoInput => ({
  id: r.id,
  urlB: r.url_b,
  urlC: r.url_c,
  urlZ: r.url_z,
  urlM: r.url_m,
  urlO: r.url_o,
  sizes: r.sizes,
});

export async function listFetchPending(afterId: string | null, limit: number): Promise<FetchPhotoInput[]> {
  const rows = await db().$queryRawUnsafe<FetchRow[]>(
    `SELECT id, url_b, url_c, url_z, url_m, url_o, sizes FROM photos p WHERE ${FETCH_PENDING} AND ($1::text IS NULL OR p.id > $1) ORDER BY p.id LIMIT $2`,
    afterId,
    limit,
  );
  return rows.map(toFetchInput);
}

export async function countFetchPending(): Promise<number> {
  const [r] = await db().$queryRawUnsafe<{ n: bigint }[]>(
    `SELECT count(*) AS n FROM photos p WHERE ${FETCH_PENDING}`,
  );
  return Number(r.n);
}

export async function getFetchInputs(ids: string[]): Promise<FetchPhotoInput[]> {
  const rows = await db().$queryRawUnsafe<FetchRow[]>(
    `SELECT id, url_b, url_c, url_z, url_m, url_o, sizes FROM photos WHERE id = ANY($1::text[]) ORDER BY id`,
    ids,
  );
  return rows.map(toFetchInput);
}

/** Records a batch of fetch outcomes in one statement. */
export async function saveFetchOutcomes(outcomes: FetchOutcome[]): Promise<void> {
  if (outcomes.length === 0) return;
  const rows = outcomes.map((o) => ({
    id: o.id,
    availability: o.status,
    fetch_error:
      o.status === 'available'
        ? null
        : o.status === 'unavailable'
          ? `unavailable: ${o.message}`
          : `${o.kind}: ${o.message}`.slice(0, 500),
    content_hash: o.status === 'available' ? o.contentHash : null,
    image_width: o.status === 'available' ? o.width : null,
    image_height: o.status === 'available' ? o.height : null,
    // JSON has no 64-bit integers: the hash travels as text.
    phash: o.status === 'available' ? o.phash.toString() : null,
    phash_windows: o.status === 'available' ? o.phashWindows.map(String) : null,
  }));
  await db().$executeRawUnsafe(
    `
    UPDATE photos p SET availability = t.availability::"Availability", fetch_error = t.fetch_error, fetched_at = now(),
      content_hash = t.content_hash, image_width = t.image_width, image_height = t.image_height, phash = t.phash::bigint,
      phash_windows = t.phash_windows::bigint[], updated_at = now()
    FROM jsonb_to_recordset($1::jsonb) AS t(id text, availability text, fetch_error text, content_hash text, image_width int, image_height int, phash text, phash_windows text[])
    WHERE p.id = t.id`,
    JSON.stringify(rows),
  );
}

export type CheckInput = {
  id: string;
  secret: string;
  title: string;
  description: string;
  tags: string;
  originalWidth: number | null;
  originalHeight: number | null;
  sizes: unknown;
  urlO: string | null;
  imageWidth: number | null;
  imageHeight: number | null;
  availability: string;
  fetchError: string | null;
};

/**
 * Error kinds a later run redoes: the next attempt may answer. Network trouble and the Flickr API's refusals
 * (rate limit, outage) pass; a removed original, stored as an error before it counted as "nothing to read",
 * is read again under the current rule. A corrupt or unreadable image gives the same answer every time.
 */
const CHECK_RETRY_KINDS = [...TRANSIENT_KINDS, 'flickr_api', 'unavailable'];
const CHECK_PENDING = `(c.photo_id IS NULL OR c.version <> $2
  OR (c.verdict = 'error' AND c.details->>'kind' = ANY(${kindsArray(CHECK_RETRY_KINDS)})))`;

/** Photo ids with no result of `check` at `version`, or a retryable error, in id order after `afterId`. */
export async function listCheckPending(
  check: string,
  version: string,
  afterId: string | null,
  limit: number,
): Promise<string[]> {
  const rows = await db().$queryRawUnsafe<{ id: string }[]>(
    `
    SELECT p.id FROM photos p
    LEFT JOIN check_results c ON c.photo_id = p.id AND c."check" = $1
    WHERE ${CHECK_PENDING} AND ($3::text IS NULL OR p.id > $3)
    ORDER BY p.id LIMIT $4`,
    check,
    version,
    afterId,
    limit,
  );
  return rows.map((r) => r.id);
}

export async function getCheckInputs(ids: string[]): Promise<CheckInput[]> {
  const rows = await db().$queryRawUnsafe<Record<string, unknown>[]>(
    `
    SELECT id, secret, title, description, tags, original_width, original_height, sizes, url_o, image_width, image_height, availability::text, fetch_error
    FROM photos WHERE id = ANY($1::text[]) ORDER BY id`,
    ids,
  );
  return rows.map((r) => ({
    id: r.id as string,
    secret: r.secret as string,
    title: r.title as string,
    description: r.description as string,
    tags: r.tags as string,
    originalWidth: r.original_width as number | null,
    originalHeight: r.original_height as number | null,
    sizes: r.sizes,
    urlO: r.url_o as string | null,
    imageWidth: r.image_width as number | null,
    imageHeight: r.image_height as number | null,
    availability: r.availability as string,
    fetchError: r.fetch_error as string | null,
  }));
}

export type CheckResultRow = CheckOutcome & { photoId: string; check: string; version: string };

/** Upserts results in one statement; rows that did not change are not rewritten. */
export async function saveCheckResults(rows: CheckResultRow[], runId: string | null): Promise<void> {
  if (rows.length === 0) return;
  const page = JSON.stringify(
    rows.map((r) => ({
      photo_id: r.photoId,
      check: r.check,
      verdict: r.verdict,
      score: r.score,
      details: r.details,
      version: r.version,
    })),
  );
  await db().$executeRawUnsafe(
    `
    INSERT INTO check_results (photo_id, "check", verdict, score, details, version, run_id, computed_at)
    SELECT t.photo_id, t."check", t.verdict::"Verdict", t.score, t.details, t.version, $2, now()
    FROM jsonb_to_recordset($1::jsonb) AS t(photo_id text, "check" text, verdict text, score float8, details jsonb, version text)
    ON CONFLICT (photo_id, "check") DO UPDATE SET verdict = EXCLUDED.verdict, score = EXCLUDED.score, details = EXCLUDED.details,
      version = EXCLUDED.version, run_id = EXCLUDED.run_id, computed_at = EXCLUDED.computed_at
    WHERE (check_results.verdict, check_results.score, check_results.details, check_results.version)
      IS DISTINCT FROM (EXCLUDED.verdict, EXCLUDED.score, EXCLUDED.details, EXCLUDED.version)`,
    page,
    runId,
  );
}

/** Sets duplicate_of_id for a batch of photos (null for canonicals and unique photos). */
export async function saveDuplicatePointers(
  rows: { id: string; duplicateOf: string | null }[],
): Promise<void> {
  if (rows.length === 0) return;
  await db().$executeRawUnsafe(
    `
    UPDATE photos p SET duplicate_of_id = t.duplicate_of, updated_at = now()
    FROM jsonb_to_recordset($1::jsonb) AS t(id text, duplicate_of text)
    WHERE p.id = t.id AND p.duplicate_of_id IS DISTINCT FROM t.duplicate_of`,
    JSON.stringify(rows.map((r) => ({ id: r.id, duplicate_of: r.duplicateOf }))),
  );
}

export type DedupRow = {
  id: string;
  phash: bigint;
  cropFull: bigint | null;
  contentHash: string;
  pixels: number;
  uploaded: Date;
};

/** Fetched photos with a pHash, in id order after `afterId` (keyset paging keeps 10M rows out of memory per query). */
export async function listDedupRows(afterId: string | null, limit: number): Promise<DedupRow[]> {
  const rows = await db().$queryRawUnsafe<
    {
      id: string;
      phash: bigint;
      crop_full: bigint | null;
      content_hash: string;
      pixels: bigint | null;
      date_upload: Date;
    }[]
  >(
    `
    SELECT id, phash, phash_windows[1] AS crop_full, content_hash, date_upload,
      COALESCE(original_width::bigint * original_height, image_width::bigint * image_height, 0) AS pixels
    FROM photos WHERE availability = 'available' AND phash IS NOT NULL AND ($1::text IS NULL OR id > $1)
    ORDER BY id LIMIT $2`,
    afterId,
    limit,
  );
  return rows.map((r) => ({
    id: r.id,
    phash: r.phash,
    cropFull: r.crop_full,
    contentHash: r.content_hash,
    pixels: Number(r.pixels ?? 0),
    uploaded: r.date_upload,
  }));
}

/** The stored crop hashes of the same photos as listDedupRows, in the same order (a second pass keeps memory flat). */
export async function listCropHashRows(
  afterId: string | null,
  limit: number,
): Promise<{ id: string; windows: bigint[] | null }[]> {
  const rows = await db().$queryRawUnsafe<{ id: string; phash_windows: bigint[] | null }[]>(
    `
    SELECT id, phash_windows FROM photos WHERE availability = 'available' AND phash IS NOT NULL AND ($1::text IS NULL OR id > $1)
    ORDER BY id LIMIT $2`,
    afterId,
    limit,
  );
  return rows.map((r) => ({ id: r.id, windows: r.phash_windows }));
}

/** Photos the duplicate check has not judged at `version` (fetched ones, and fetch errors to report). */
export async function countDuplicatePending(version: string): Promise<number> {
  const [r] = await db().$queryRawUnsafe<{ n: bigint }[]>(
    `
    SELECT count(*) AS n FROM photos p LEFT JOIN check_results c ON c.photo_id = p.id AND c."check" = 'duplicate'
    WHERE (p.availability = 'available' AND p.phash IS NOT NULL OR p.availability = 'error') AND (c.photo_id IS NULL OR c.version <> $1)`,
    version,
  );
  return Number(r.n);
}

export async function listFetchErrors(
  afterId: string | null,
  limit: number,
): Promise<{ id: string; fetchError: string | null }[]> {
  const rows = await db().$queryRawUnsafe<{ id: string; fetch_error: string | null }[]>(
    `SELECT id, fetch_error FROM photos WHERE availability = 'error' AND ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2`,
    afterId,
    limit,
  );
  return rows.map((r) => ({ id: r.id, fetchError: r.fetch_error }));
}

/** Verdicts of one check by photo id (for quality reports over small universes). */
export async function listVerdicts(
  check: string,
): Promise<Map<string, { verdict: string; details: unknown }>> {
  const rows = await db().$queryRawUnsafe<{ photo_id: string; verdict: string; details: unknown }[]>(
    `SELECT photo_id, verdict::text, details FROM check_results WHERE "check" = $1`,
    check,
  );
  return new Map(rows.map((r) => [r.photo_id, { verdict: r.verdict, details: r.details }]));
}

export async function listAvailability(): Promise<
  Map<string, { availability: string; fetchError: string | null }>
> {
  const rows = await db().$queryRawUnsafe<{ id: string; availability: string; fetch_error: string | null }[]>(
    `SELECT id, availability::text, fetch_error FROM photos`,
  );
  return new Map(rows.map((r) => [r.id, { availability: r.availability, fetchError: r.fetch_error }]));
}

/** What the preview route needs about a photo. */
export async function getPreviewSource(photoId: string): Promise<{
  urlB: string | null;
  urlC: string | null;
  urlZ: string | null;
  urlM: string | null;
  contentHash: string | null;
} | null> {
  const rows = await db().$queryRawUnsafe<
    {
      url_b: string | null;
      url_c: string | null;
      url_z: string | null;
      url_m: string | null;
      content_hash: string | null;
    }[]
  >(`SELECT url_b, url_c, url_z, url_m, content_hash FROM photos WHERE id = $1`, photoId);
  const r = rows[0];
  return r
    ? { urlB: r.url_b, urlC: r.url_c, urlZ: r.url_z, urlM: r.url_m, contentHash: r.content_hash }
    : null;
}

export async function getContentHashes(ids: string[]): Promise<Map<string, string>> {
  const rows = await db().$queryRawUnsafe<{ id: string; content_hash: string | null }[]>(
    `SELECT id, content_hash FROM photos WHERE id = ANY($1::text[])`,
    ids,
  );
  return new Map(rows.filter((r) => r.content_hash).map((r) => [r.id, r.content_hash!]));
}
