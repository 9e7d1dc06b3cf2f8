// Data access for the CLIP stage: work lists, batched result and embedding writes, embedding scans, "more like this".
import { db, pgPool, Prisma } from '../db.ts';
import { inForceJoin } from '../inclusion.ts';

export const CLIP_CHECKS = ['clip_nonphoto', 'clip_nonwholesome'] as const;
export type ClipCheckName = (typeof CLIP_CHECKS)[number];
export type ClipVersions = Record<ClipCheckName, string>;

export type ClipInput = { id: string; contentHash: string; embedding: Uint8Array | null };

/** Photos whose CLIP results are missing or from another version (or errors, when retrying them); keyset-paged by id. */
export async function listClipPending(
  versions: ClipVersions,
  modelKey: string,
  afterId: string | null,
  limit: number,
  retryErrors = false,
): Promise<ClipInput[]> {
  const rows = await db().$queryRaw<{ id: string; content_hash: string; vector: Uint8Array | null }[]>`
    SELECT p.id, p.content_hash, e.vector
    FROM photos p
    LEFT JOIN photo_embeddings e ON e.photo_id = p.id AND e.model = ${modelKey}
    WHERE p.content_hash IS NOT NULL AND p.availability = 'available'
      AND (${afterId}::text IS NULL OR p.id > ${afterId}::text)
      AND (SELECT count(*) FROM check_results r
           WHERE r.photo_id = p.id AND (NOT ${retryErrors}::boolean OR r.verdict <> 'error')
             AND ((r."check" = 'clip_nonphoto' AND r.version = ${versions.clip_nonphoto})
               OR (r."check" = 'clip_nonwholesome' AND r.version = ${versions.clip_nonwholesome}))) < 2
    ORDER BY p.id
    LIMIT ${limit}`;
  return rows.map((r) => ({ id: r.id, contentHash: r.content_hash, embedding: r.vector }));
}

/** The given photos that can be classified (fetched and available), with any stored embedding of this model. */
export async function getClipInputs(photoIds: string[], modelKey: string): Promise<ClipInput[]> {
  if (photoIds.length === 0) return [];
  const rows = await db().$queryRaw<{ id: string; content_hash: string; vector: Uint8Array | null }[]>`
    SELECT p.id, p.content_hash, e.vector
    FROM photos p
    LEFT JOIN photo_embeddings e ON e.photo_id = p.id AND e.model = ${modelKey}
    WHERE p.id = ANY(${photoIds}::text[]) AND p.content_hash IS NOT NULL AND p.availability = 'available'
    ORDER BY p.id`;
  return rows.map((r) => ({ id: r.id, contentHash: r.content_hash, embedding: r.vector }));
}

/** The stored current results of a set of photos, to tell which need work. */
export async function listCurrentClipResults(
  photoIds: string[],
  versions: ClipVersions,
  retryErrors = false,
): Promise<Set<string>> {
  if (photoIds.length === 0) return new Set();
  const rows = await db().$queryRaw<{ photo_id: string }[]>`
    SELECT photo_id FROM check_results
    WHERE photo_id = ANY(${photoIds}::text[]) AND (NOT ${retryErrors}::boolean OR verdict <> 'error')
      AND (("check" = 'clip_nonphoto' AND version = ${versions.clip_nonphoto})
        OR ("check" = 'clip_nonwholesome' AND version = ${versions.clip_nonwholesome}))
    GROUP BY photo_id HAVING count(*) = 2`;
  return new Set(rows.map((r) => r.photo_id));
}

export type ClipResultRow = {
  photoId: string;
  check: ClipCheckName;
  verdict: 'pass' | 'fail' | 'uncertain' | 'error';
  score: number | null;
  details: unknown;
  version: string;
};

export type EmbeddingRow = { photoId: string; vector: Buffer };

/** Writes a batch's results and new embeddings in one transaction: two statements, whatever the batch size. */
export async function saveClipResults(
  results: ClipResultRow[],
  embeddings: EmbeddingRow[],
  modelKey: string,
  runId: string | null,
): Promise<void> {
  const client = db();
  await client.$transaction([
    client.$executeRaw`
      INSERT INTO photo_embeddings (photo_id, model, vector, computed_at)
      SELECT id, ${modelKey}, decode(hex, 'hex'), now()
      FROM unnest(${embeddings.map((e) => e.photoId)}::text[], ${embeddings.map((e) => e.vector.toString('hex'))}::text[]) AS t(id, hex)
      ON CONFLICT (photo_id) DO UPDATE SET model = EXCLUDED.model, vector = EXCLUDED.vector, computed_at = EXCLUDED.computed_at`,
    client.$executeRaw`
      INSERT INTO check_results (photo_id, "check", verdict, score, details, version, run_id, computed_at)
      SELECT id, chk, verdict::"Verdict", score, details::jsonb, version, ${runId}, now()
      FROM unnest(
        ${results.map((r) => r.photoId)}::text[],
        ${results.map((r) => r.check)}::text[],
        ${results.map((r) => r.verdict)}::text[],
        ${results.map((r) => r.score)}::float8[],
        ${results.map((r) => JSON.stringify(r.details))}::text[],
        ${results.map((r) => r.version)}::text[]) AS t(id, chk, verdict, score, details, version)
      ON CONFLICT (photo_id, "check") DO UPDATE SET verdict = EXCLUDED.verdict, score = EXCLUDED.score,
        details = EXCLUDED.details, version = EXCLUDED.version, run_id = EXCLUDED.run_id, computed_at = EXCLUDED.computed_at`,
  ]);
}

/** One block of embeddings of a model, in photo id order (keyset paging). */
export async function listEmbeddingBlock(
  modelKey: string,
  afterId: string | null,
  limit: number,
): Promise<{ ids: string[]; vectors: Uint8Array[] }> {
  const rows = await db().$queryRaw<{ photo_id: string; vector: Uint8Array }[]>`
    SELECT photo_id, vector FROM photo_embeddings
    WHERE model = ${modelKey} AND (${afterId}::text IS NULL OR photo_id > ${afterId}::text)
    ORDER BY photo_id LIMIT ${limit}`;
  return { ids: rows.map((r) => r.photo_id), vectors: rows.map((r) => r.vector) };
}

export async function getEmbedding(photoId: string): Promise<{ model: string; vector: Uint8Array } | null> {
  const row = await db().photoEmbedding.findUnique({
    where: { photoId },
    select: { model: true, vector: true },
  });
  return row ? { model: row.model, vector: row.vector } : null;
}

/** The CLIP model most embeddings were made with, for tools run outside the stage. */
export async function countEmbeddings(modelKey: string): Promise<number> {
  const [row] = await db().$queryRaw<
    { n: bigint }[]
  >`SELECT count(*) AS n FROM photo_embeddings WHERE model = ${modelKey}`;
  return Number(row.n);
}

export async function latestEmbeddingModel(): Promise<string | null> {
  const [row] = await db().$queryRaw<{ model: string }[]>`
    SELECT model FROM photo_embeddings GROUP BY model ORDER BY max(computed_at) DESC LIMIT 1`;
  return row?.model ?? null;
}

/** One page of a model's embedded photo ids (no vectors), in id order: what the ANN index must contain. */
export async function listEmbeddedIds(
  modelKey: string,
  afterId: string | null,
  limit: number,
): Promise<string[]> {
  const rows = await db().$queryRaw<{ photo_id: string }[]>`
    SELECT photo_id FROM photo_embeddings
    WHERE model = ${modelKey} AND (${afterId}::text IS NULL OR photo_id > ${afterId}::text)
    ORDER BY photo_id LIMIT ${limit}`;
  return rows.map((r) => r.photo_id);
}

/** The stored vectors of the given photos under one model (photos embedded by another model are left out). */
export async function getEmbeddingVectors(
  photoIds: string[],
  modelKey: string,
): Promise<Map<string, Uint8Array>> {
  if (photoIds.length === 0) return new Map();
  const rows = await db().$queryRaw<{ photo_id: string; vector: Uint8Array }[]>`
    SELECT photo_id, vector FROM photo_embeddings WHERE photo_id = ANY(${photoIds}::text[]) AND model = ${modelKey}`;
  return new Map(rows.map((r) => [r.photo_id, r.vector]));
}

/**
 * Embeddings re-computed or deleted since the ANN index last applied them (quarry_internal.ann_stale, kept by triggers
 * on photo_embeddings): the photo and the model of the vector that is no longer theirs, oldest first, keyset-paged.
 */
export async function listAnnStale(
  afterId: bigint,
  limit: number,
): Promise<{ id: bigint; photoId: string; model: string }[]> {
  return db().$queryRaw`
    SELECT id, photo_id AS "photoId", model FROM quarry_internal.ann_stale WHERE id > ${afterId} ORDER BY id LIMIT ${limit}`;
}

/** Forgets the stale rows an index has applied and saved (rows written since stay for the next sync). */
export async function clearAnnStale(ids: bigint[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 50_000)
    await db()
      .$executeRaw`DELETE FROM quarry_internal.ann_stale WHERE id = ANY(${ids.slice(i, i + 50_000)}::bigint[])`;
}

/**
 * A time before which every embedding written is visible now (the database's clock, which writes computed_at as its
 * transaction's start): the start of the oldest transaction still open in this database, or now. An embedding written
 * by a transaction that began earlier but commits after a reader's walk went past its id would otherwise be dated
 * before the walk yet missed by it. A transaction open for over 10 minutes is not waited for (none of Quarry's writes
 * takes that long; holding the time back further would only leave more photos to the next pass).
 */
export async function embeddingsVisibleBefore(): Promise<Date> {
  const [row] = await db().$queryRaw<{ at: Date }[]>`
    SELECT LEAST(now(), GREATEST(now() - interval '10 minutes',
      (SELECT min(xact_start) FROM pg_stat_activity WHERE datname = current_database() AND xact_start IS NOT NULL))) AS at`;
  return row.at;
}

/** Which database this is (its cluster's system identifier and its name): an index on disk belongs to one. */
export async function databaseIdentity(): Promise<string> {
  const [row] = await db().$queryRaw<{ id: string }[]>`
    SELECT (SELECT system_identifier::text FROM pg_control_system()) || '/' || current_database() AS id`;
  return row.id;
}

// One id for the lock every writer of the embedding index takes ("quarry-ann" as ASCII), so several workers never
// write the index file at once; readers need no lock (they read the last complete file, replaced by rename).
const ANN_LOCK_ID = 0x7175_6172_7279_616en;

/**
 * Runs `fn` holding a PostgreSQL session advisory lock on a dedicated connection: one index writer at a time across
 * every worker process and machine sharing the database. Waits for the lock; always releases it.
 * Workers already build through a pg-boss 'stately' queue (one active build per DATA_DIR), and the lock stays
 * because the queue's guarantee is about job rows, not processes: a builder whose job pg-boss failed (heartbeat
 * missed, expired) keeps writing until it next checks its signal while the retry starts elsewhere, and tools, tests
 * and benches build without the queue. The lock is held by the connection, so it ends only when that builder does.
 */
export async function withEmbeddingIndexLock<T>(fn: () => Promise<T>): Promise<T> {
  const client = await pgPool().connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [ANN_LOCK_ID.toString()]);
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [ANN_LOCK_ID.toString()]).catch(() => {});
    }
  } finally {
    client.release();
  }
}

export type NeighbourCard = {
  photoId: string;
  ownerNsid: string;
  title: string;
  contentHash: string | null;
  width: number | null;
  height: number | null;
  /** The duplicate check's verdict in force (overrides included), or null before the check ran. */
  duplicate: string | null;
};

/** What "similar photos" shows of each neighbour: owner, title, thumbnail, shape and duplicate verdict. */
export async function getNeighbourCards(photoIds: string[]): Promise<Map<string, NeighbourCard>> {
  if (photoIds.length === 0) return new Map();
  const rows = await db().$queryRaw<
    {
      id: string;
      owner_nsid: string;
      title: string;
      content_hash: string | null;
      image_width: number | null;
      image_height: number | null;
      duplicate: string | null;
    }[]
  >`
    SELECT p.id, p.owner_nsid, p.title, p.content_hash, p.image_width, p.image_height,
      COALESCE(lo.new_verdict, cr.verdict)::text AS duplicate
    FROM photos p
    LEFT JOIN check_results cr ON cr.photo_id = p.id AND cr."check" = 'duplicate'
    ${inForceJoin(Prisma.sql`cr.photo_id`, Prisma.sql`cr."check"`, 'lo')}
    WHERE p.id = ANY(${photoIds}::text[])`;
  return new Map(
    rows.map((r) => [
      r.id,
      {
        photoId: r.id,
        ownerNsid: r.owner_nsid,
        title: r.title,
        contentHash: r.content_hash,
        width: r.image_width,
        height: r.image_height,
        duplicate: r.duplicate,
      },
    ]),
  );
}

/**
 * The account's most recently uploaded photos with an embedding of the model, newest first, with their vectors: what
 * the account page searches the index with. Walks photos(owner_nsid, date_upload) backwards, so a 200k-photo account
 * costs what a small one does.
 */
export async function listRecentAccountEmbeddings(
  nsid: string,
  modelKey: string,
  limit: number,
): Promise<{ photoId: string; vector: Uint8Array }[]> {
  return db().$queryRaw<{ photoId: string; vector: Uint8Array }[]>`
    SELECT p.id AS "photoId", e.vector
    FROM photos p JOIN photo_embeddings e ON e.photo_id = p.id AND e.model = ${modelKey}
    WHERE p.owner_nsid = ${nsid}
    ORDER BY p.date_upload DESC, p.id DESC
    LIMIT ${limit}`;
}

/** The account's stored photos (null when there is no such account): an index-only count over photos(owner_nsid, …). */
export async function countAccountPhotos(nsid: string): Promise<number | null> {
  const [row] = await db().$queryRaw<{ exists: boolean; n: bigint }[]>`
    SELECT EXISTS (SELECT 1 FROM accounts WHERE nsid = ${nsid}) AS exists,
           (SELECT count(*) FROM photos WHERE owner_nsid = ${nsid}) AS n`;
  return row.exists ? Number(row.n) : null;
}

/** Who owns each of the given photos. */
export async function getPhotoOwners(photoIds: string[]): Promise<Map<string, string>> {
  if (photoIds.length === 0) return new Map();
  const rows = await db().$queryRaw<{ id: string; owner_nsid: string }[]>`
    SELECT id, owner_nsid FROM photos WHERE id = ANY(${photoIds}::text[])`;
  return new Map(rows.map((r) => [r.id, r.owner_nsid]));
}
