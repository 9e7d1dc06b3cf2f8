// Data access for the CLIP near-duplicate pairs kept between runs: the pass's state, the photos it has searched, the
// verified pairs (prisma/migrations/20261206040000_clip_pairs).
import { db, pgPool } from '../db.ts';

export type ClipPairPassState = { model: string; floor: number; indexBuiltAt: string };
export type StoredClipPair = { a: string; b: string; similarity: number };

export async function getClipPairPass(model: string): Promise<ClipPairPassState | null> {
  return db().clipPairPass.findUnique({
    where: { model },
    select: { model: true, floor: true, indexBuiltAt: true },
  });
}

/** Forgets every pair and searched mark of a model and records the pass that starts over, in one transaction. */
export async function resetClipPairPass(state: ClipPairPassState): Promise<void> {
  const client = db();
  await client.$transaction([
    client.$executeRaw`DELETE FROM clip_pairs WHERE model = ${state.model}`,
    client.$executeRaw`DELETE FROM clip_pair_searched WHERE model = ${state.model}`,
    client.$executeRaw`
      INSERT INTO clip_pair_passes (model, floor, index_built_at, updated_at)
      VALUES (${state.model}, ${state.floor}, ${state.indexBuiltAt}, now())
      ON CONFLICT (model) DO UPDATE SET floor = EXCLUDED.floor, index_built_at = EXCLUDED.index_built_at,
        updated_at = EXCLUDED.updated_at, cells = NULL, cells_done = 0, cells_cutoff = NULL`,
  ]);
}

/**
 * The model's embedded photos the pass has not searched yet, with their vectors, in id order after `afterId`: an
 * index-only walk of photo_embeddings(model, photo_id) against clip_pair_searched, then the few vectors. Measured at
 * 200k embeddings with 666 new (load 20): 1.4 s for the sweep, 1.3 s for the count; linear, so about a minute each at
 * 10M under such load, against hours for searching every photo again.
 */
export async function listUnsearchedEmbeddings(
  model: string,
  afterId: string | null,
  limit: number,
): Promise<{ ids: string[]; vectors: Uint8Array[] }> {
  const rows = await db().$queryRaw<{ photo_id: string; vector: Uint8Array }[]>`
    WITH todo AS (
      SELECT e.photo_id FROM photo_embeddings e
      WHERE e.model = ${model} AND (${afterId}::text IS NULL OR e.photo_id > ${afterId}::text)
        -- The range again on the searched side (implied by the join): a page's anti-join reads only the ids after it,
        -- so paging through 10M costs one sweep, not one per page.
        AND NOT EXISTS (SELECT 1 FROM clip_pair_searched s WHERE s.photo_id = e.photo_id AND s.model = ${model}
          AND (${afterId}::text IS NULL OR s.photo_id > ${afterId}::text))
      ORDER BY e.model, e.photo_id LIMIT ${limit})
    SELECT e.photo_id, e.vector FROM todo JOIN photo_embeddings e USING (photo_id) ORDER BY e.photo_id`;
  return { ids: rows.map((r) => r.photo_id), vectors: rows.map((r) => r.vector) };
}

export async function countUnsearchedEmbeddings(model: string): Promise<number> {
  const [row] = await db().$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM photo_embeddings e
    WHERE e.model = ${model}
      AND NOT EXISTS (SELECT 1 FROM clip_pair_searched s WHERE s.photo_id = e.photo_id AND s.model = ${model})`;
  return Number(row.n);
}

/**
 * Stores verified pairs, each once (a pair found again keeps its first row), and only while both photos still have an
 * embedding of `model` (one re-embedded or deleted meanwhile takes its pairs along). For a caller's transaction.
 */
function insertPairs(client: ReturnType<typeof db>, model: string, pairs: StoredClipPair[]) {
  return client.$executeRaw`
      INSERT INTO clip_pairs (photo_a, photo_b, model, similarity)
      SELECT t.a, t.b, ${model}, t.s FROM unnest(${pairs.map((p) => p.a)}::text[], ${pairs.map((p) => p.b)}::text[],
        ${pairs.map((p) => p.similarity)}::float8[]) AS t(a, b, s)
      JOIN photo_embeddings ea ON ea.photo_id = t.a AND ea.model = ${model}
      JOIN photo_embeddings eb ON eb.photo_id = t.b AND eb.model = ${model}
      ON CONFLICT (photo_a, photo_b) DO NOTHING`;
}

/**
 * One searched block, in one transaction: its verified pairs (a pair found again, from its other photo or by a pass
 * that was killed after writing it, is kept once) and the marks saying its photos were searched. A photo whose
 * embedding changed meanwhile (the trigger cleared its mark) keeps no mark: the stored vector it was searched with
 * is gone, so it is searched again.
 */
export async function saveSearchedBlock(
  model: string,
  searched: string[],
  pairs: StoredClipPair[],
): Promise<number> {
  const client = db();
  const [inserted] = await client.$transaction([
    insertPairs(client, model, pairs),
    client.$executeRaw`
      INSERT INTO clip_pair_searched (photo_id, model, closed)
      SELECT e.photo_id, e.model, false FROM photo_embeddings e
      WHERE e.photo_id = ANY(${searched}::text[]) AND e.model = ${model}
      ON CONFLICT (photo_id) DO UPDATE SET model = EXCLUDED.model, closed = false`,
  ]);
  // Pairs new to the table (one found from both its photos, in two blocks, counts once).
  return inserted;
}

/** Pairs found by completing groups, then every open searched photo marked closed, in one transaction. */
export async function saveClosedGroups(model: string, pairs: StoredClipPair[]): Promise<void> {
  const client = db();
  await client.$transaction([
    insertPairs(client, model, pairs),
    client.$executeRaw`UPDATE clip_pair_searched SET closed = true WHERE NOT closed AND model = ${model}`,
  ]);
}

/** Which of the given photos were searched but their groups not completed yet (a pass stopped before its last step). */
export async function filterOpenSearched(model: string, photoIds: string[]): Promise<string[]> {
  if (photoIds.length === 0) return [];
  const rows = await db().$queryRaw<{ photo_id: string }[]>`
    SELECT photo_id FROM clip_pair_searched WHERE NOT closed AND model = ${model} AND photo_id = ANY(${photoIds}::text[])`;
  return rows.map((r) => r.photo_id);
}

export async function countOpenSearched(model: string): Promise<number> {
  const [row] = await db().$queryRaw<{ n: bigint }[]>`
    SELECT count(*) AS n FROM clip_pair_searched WHERE NOT closed AND model = ${model}`;
  return Number(row.n);
}

// "quarry-pair" as ASCII: one pair pass at a time across every worker, so a reset or a completion step never runs
// beside another pass's writes.
const PAIR_LOCK_ID = 0x7175_6172_7279_7061n;

/** Runs `fn` holding a PostgreSQL session advisory lock on a dedicated connection; waits for it; always releases it. */
export async function withClipPairLock<T>(fn: () => Promise<T>): Promise<T> {
  const client = await pgPool().connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [PAIR_LOCK_ID.toString()]);
    try {
      return await fn();
    } finally {
      await client.query('SELECT pg_advisory_unlock($1)', [PAIR_LOCK_ID.toString()]).catch(() => {});
    }
  } finally {
    client.release();
  }
}

/** One page of a model's stored pairs at or above `min`, keyset-paged by (photo_a, photo_b). */
export async function listClipPairs(
  model: string,
  min: number,
  after: { a: string; b: string } | null,
  limit: number,
): Promise<StoredClipPair[]> {
  const rows = await db().$queryRaw<{ a: string; b: string; similarity: number }[]>`
    SELECT photo_a AS a, photo_b AS b, similarity FROM clip_pairs
    WHERE model = ${model} AND similarity >= ${min}
      AND (${after?.a ?? null}::text IS NULL OR (photo_a, photo_b) > (${after?.a ?? ''}::text, ${after?.b ?? ''}::text))
    ORDER BY photo_a, photo_b LIMIT ${limit}`;
  return rows;
}

/** A first pass by cells under way (pipeline/clip/pairPass.ts), or null. */
export type CellPassState = { centroids: Uint8Array | null; cellsDone: number; cutoff: Date };

export async function getCellPass(model: string): Promise<CellPassState | null> {
  const row = await db().clipPairPass.findUnique({
    where: { model },
    select: { cells: true, cellsDone: true, cellsCutoff: true },
  });
  if (!row?.cellsCutoff) return null;
  return { centroids: row.cells, cellsDone: row.cellsDone, cutoff: row.cellsCutoff };
}

/**
 * Starts a pass by cells over the model's embeddings computed until `cutoff` (the database's clock, no later than now):
 * later ones are left to the incremental passes after it. Returns the cutoff.
 */
export async function startCellPass(model: string, cutoff: Date): Promise<Date> {
  const [row] = await db().$queryRaw<{ cutoff: Date }[]>`
    UPDATE clip_pair_passes SET cells = NULL, cells_done = 0, cells_cutoff = LEAST(now(), ${cutoff}::timestamptz),
      updated_at = now()
    WHERE model = ${model} RETURNING cells_cutoff AS cutoff`;
  if (!row) throw new Error(`no pair pass recorded for ${model}`);
  return row.cutoff;
}

/** The centroids a pass by cells compares in, saved before its first cell so a resumed pass uses the same ones. */
export async function saveCellCentroids(model: string, centroids: Uint8Array<ArrayBuffer>): Promise<void> {
  await db().clipPairPass.update({ where: { model }, data: { cells: centroids, cellsDone: 0 } });
}

/** One batch of cells: its verified pairs and the count of cells finished, in one transaction. */
export async function saveCellBatch(
  model: string,
  pairs: StoredClipPair[],
  cellsDone: number,
): Promise<number> {
  const client = db();
  const [inserted] = await client.$transaction([
    insertPairs(client, model, pairs),
    client.$executeRaw`UPDATE clip_pair_passes SET cells_done = ${cellsDone}, updated_at = now() WHERE model = ${model}`,
  ]);
  return inserted;
}

/**
 * The end of a pass by cells: every embedding it covered marked searched (open, so its groups are completed next), in
 * keyset pages of `page` ids, then the pass's state cleared. A re-embedded photo (computed after the cutoff) is not
 * marked: the incremental part of the pass compares it. Killed in between, the next pass marks again (idempotent)
 * and clears.
 */
export async function finishCellPass(model: string, cutoff: Date, page = 50_000): Promise<void> {
  for (let after: string | null = null; ; ) {
    const rows: { last: string | null }[] = await db().$queryRaw`
      WITH page AS (
        SELECT photo_id FROM photo_embeddings
        WHERE model = ${model} AND (${after}::text IS NULL OR photo_id > ${after}::text)
        ORDER BY model, photo_id LIMIT ${page}),
      marked AS (
        INSERT INTO clip_pair_searched (photo_id, model, closed)
        SELECT e.photo_id, e.model, false FROM page JOIN photo_embeddings e USING (photo_id)
        WHERE e.model = ${model} AND e.computed_at <= ${cutoff}
        ON CONFLICT (photo_id) DO UPDATE SET model = EXCLUDED.model, closed = false)
      SELECT max(photo_id) AS last FROM page`;
    const last = rows[0]?.last ?? null;
    if (!last) break;
    after = last;
  }
  await db().$executeRaw`
    UPDATE clip_pair_passes SET cells = NULL, cells_done = 0, cells_cutoff = NULL, updated_at = now()
    WHERE model = ${model}`;
}
