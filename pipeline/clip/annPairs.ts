// Near-duplicate pairs through the ANN index: candidates by int8 products in the nearest cells, kept by exact cosine.
import { getEmbeddingVectors, listEmbeddingBlock } from '../../lib/queries/clip.ts';
import { toIndexRows } from './annIndex.ts';
import type { AnnKeys } from './annKeys.ts';
import type { AnnProjection } from './annProjection.ts';
import type { CellSource } from './cellIndex.ts';
import { decodeFloat16 } from './float16.ts';
import { multiplyTransposed } from './matmul.ts';
import { freshCandidates } from './pairCells.ts';

export type CandidatePair = { a: string; b: string };

/**
 * Candidates are taken a little below the threshold: the index compares int8 vectors. Measured on the bench's
 * vectors (pairs at cosine ≥ 0.85 among 20k): int8 moves a cosine by ≤ 0.0086 (a pair ≥ 0.95 read at most 0.0067
 * low), so 0.03 covers it 3×. The projection to ANN_DIMS moves cosines the other way: the projected cosine of
 * an exact pair fell at most 0.0008 below its exact one on the 1M bench (none at 250k) (it drops part of the difference between two
 * photos, and less of the photos themselves). Every candidate is re-scored exactly from the stored vectors anyway.
 */
export const CANDIDATE_MARGIN = 0.03;
/**
 * Stored embeddings searched per block of an incremental pass (the candidates of a block are scored together). A block
 * reads the members of every cell its photos probe (at 10M, 16,384 photos × 4 probes touch most of the ~6,700 cells,
 * ~2.5 GB of rows), so larger blocks read each cell for more photos at once.
 */
export const SEARCH_BLOCK = 16_384;

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/** Rows searched through the index since the caller zeroed it (tests and the bench: a pass by cells searches none). */
export const searchStats = { rows: 0 };

export type IndexedPair = { a: string; b: string; similarity: number };

/** A block of stored embeddings after `afterId`, in id order; empty when there are no more. */
export type RowSource = (
  afterId: string | null,
  limit: number,
) => Promise<{ ids: string[]; vectors: Uint8Array[] }>;

export type PairsOptions = {
  blockSize?: number;
  signal?: AbortSignal;
  /**
   * The rows to search (default: every embedding of the model). Rows the index does not hold (embedded after its
   * last sync) are left out, for a later pass: only a row the index holds is met by the rows searched after it.
   */
  rows?: RowSource;
  /**
   * Takes each block's searched ids (those the index holds) and its verified pairs before the next block is read;
   * nothing is then kept in memory across blocks (the caller stores the pairs and completes groups).
   */
  onBlock?: (block: { searched: string[]; pairs: IndexedPair[] }) => Promise<void>;
};

/**
 * Every pair of a searched photo with a photo of the index whose exact cosine (of the stored float16 vectors) reaches
 * `threshold`, each once, a < b: the photos (default: every embedding) are read in blocks, each photo compared by int8
 * products with the members of its nearest cells (pairCells.ts's freshCandidates), and each candidate over the floor
 * (threshold − CANDIDATE_MARGIN) scored exactly. Without `onBlock`, the groups the pairs form are completed too.
 */
export async function pairsThroughCells(
  index: CellSource,
  projection: AnnProjection | null,
  keyMap: AnnKeys,
  modelKey: string,
  threshold: number,
  opts: PairsOptions = {},
): Promise<IndexedPair[]> {
  const blockSize = opts.blockSize ?? SEARCH_BLOCK;
  const floor = threshold - CANDIDATE_MARGIN;
  const seen = new Set<string>();
  const pairs: IndexedPair[] = [];
  // The embeddings' dimensions (the index holds a projection of them when it has one).
  const dims = projection?.from ?? index.dims;
  const source: RowSource = opts.rows ?? ((after, n) => listEmbeddingBlock(modelKey, after, n));
  for (let after: string | null = null; ; ) {
    opts.signal?.throwIfAborted();
    const block = await source(after, blockSize);
    if (block.ids.length === 0) break;
    after = block.ids[block.ids.length - 1];
    if (opts.onBlock) seen.clear();
    const rows: number[] = [];
    const rowKeys: bigint[] = [];
    const keyed = block.ids.map((id) => keyMap.keyOf(id));
    const held = index.contains(keyed.map((k) => k ?? 0n));
    for (const [i, key] of keyed.entries()) {
      // A vector of another length (a model re-exported under its old name) cannot be compared with this index's.
      if (key === null || !held[i] || block.vectors[i].length !== 2 * dims) continue;
      rows.push(i);
      rowKeys.push(key);
    }
    searchStats.rows += rows.length;
    const queries = new Float32Array(rows.length * dims);
    for (const [i, r] of rows.entries()) decodeFloat16(block.vectors[r], queries, i * dims);
    const found = await freshCandidates(index, await toIndexRows(projection, queries, rows.length), floor, {
      signal: opts.signal,
    });
    const candidates: { a: string; b: string }[] = [];
    for (let t = 0; t < found.query.length; t++) {
      const q = found.query[t];
      if (found.keys[t] === rowKeys[q]) continue;
      const self = block.ids[rows[q]];
      const other = keyMap.idOf(found.keys[t]);
      if (other === null) continue;
      const [a, b] = self < other ? [self, other] : [other, self];
      const id = `${a}:${b}`;
      if (seen.has(id)) continue;
      seen.add(id);
      candidates.push({ a, b });
    }
    const own = new Map<string, Float32Array>(
      rows.map((r, i) => [block.ids[r], queries.subarray(i * dims, (i + 1) * dims)]),
    );
    const verified = await scoreCandidates(candidates, modelKey, threshold, own);
    if (opts.onBlock)
      await opts.onBlock({ searched: rowKeys.map((_, i) => block.ids[rows[i]]), pairs: verified });
    else pairs.push(...verified);
    await new Promise((r) => setImmediate(r));
  }
  if (opts.onBlock) return [];
  return closeGroups(pairs, threshold, async (ids) => {
    const stored = await getEmbeddingVectors(ids, modelKey);
    return new Map([...stored].map(([id, v]) => [id, decodeFloat16(v)]));
  });
}

/**
 * Candidate pairs scored exactly on the stored float16 vectors (each decoded once; `own`: vectors the caller already
 * holds), those at cosine ≥ threshold kept. A photo whose embedding is gone or now another model's, or of another
 * length than the other photo's (a model re-exported under its old name), makes no pair.
 */
export async function scoreCandidates(
  candidates: readonly { a: string; b: string }[],
  modelKey: string,
  threshold: number,
  own: ReadonlyMap<string, Float32Array> = new Map(),
): Promise<IndexedPair[]> {
  const stored = await getEmbeddingVectors(
    [...new Set(candidates.flatMap((c) => [c.a, c.b]))].filter((id) => !own.has(id)),
    modelKey,
  );
  const decoded = new Map(own);
  const vector = (id: string) => {
    let v = decoded.get(id);
    if (!v) {
      const h = stored.get(id);
      if (!h) return null;
      v = decodeFloat16(h);
      decoded.set(id, v);
    }
    return v;
  };
  const out: IndexedPair[] = [];
  for (const c of candidates) {
    const va = vector(c.a);
    const vb = vector(c.b);
    if (!va || !vb || va.length !== vb.length) continue;
    const similarity = dot(va, vb);
    if (similarity >= threshold) out.push({ a: c.a, b: c.b, similarity });
  }
  return out;
}

/**
 * Every pair (a < b) of the given photos at exact cosine ≥ threshold, by block matrix products, quadratic in their
 * count: the exact reference the ann bench measures recall against. With `fresh`, only pairs with at least one of the
 * first `fresh` photos are wanted: blocks of two older photos are skipped.
 */
export async function pairsAmong(
  ids: string[],
  vectors: Float32Array[],
  threshold: number,
  blockSize = 2048,
  fresh = ids.length,
): Promise<IndexedPair[]> {
  const out: IndexedPair[] = [];
  const n = ids.length;
  if (n < 2) return out;
  const dims = vectors[0].length;
  const stack = (start: number, end: number) => {
    const m = new Float32Array((end - start) * dims);
    for (let i = start; i < end; i++) m.set(vectors[i], (i - start) * dims);
    return m;
  };
  for (let i = 0; i < Math.min(n, fresh); i += blockSize) {
    const iEnd = Math.min(n, i + blockSize);
    const left = stack(i, iEnd);
    for (let j = i; j < n; j += blockSize) {
      const jEnd = Math.min(n, j + blockSize);
      const sims = await multiplyTransposed(left, iEnd - i, j === i ? left : stack(j, jEnd), jEnd - j, dims);
      for (let r = 0; r < iEnd - i; r++)
        for (let c = j === i ? r + 1 : 0; c < jEnd - j; c++) {
          const similarity = sims[r * (jEnd - j) + c];
          if (similarity < threshold) continue;
          const [a, b] = ids[i + r] < ids[j + c] ? [ids[i + r], ids[j + c]] : [ids[j + c], ids[i + r]];
          out.push({ a, b, similarity });
        }
    }
  }
  return out;
}

/** The groups (connected components, union-find) the pairs connect: each photo's group root, and each root's members. */
export function pairGroups(pairs: readonly { a: string; b: string }[]): {
  rootOf: (id: string) => string;
  groups: Map<string, string[]>;
} {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    let r = x;
    while (parent.get(r) !== r) r = parent.get(r)!;
    parent.set(x, r);
    return r;
  };
  for (const p of pairs) {
    if (!parent.has(p.a)) parent.set(p.a, p.a);
    if (!parent.has(p.b)) parent.set(p.b, p.b);
    parent.set(find(p.a), find(p.b));
  }
  const groups = new Map<string, string[]>();
  for (const x of parent.keys()) {
    const r = find(x);
    const g = groups.get(r);
    if (g) g.push(x);
    else groups.set(r, [x]);
  }
  return { rootOf: find, groups };
}

/** Groups of found pairs with at most this many photos get every inner pair scored; bigger ones stay as found. */
export const CLOSURE_MAX = 64;

/**
 * Completes each group the found pairs connect (union-find): a pair the index missed between two members of one group
 * of near-copies (a pair the cells compared from neither side) is scored exactly and kept if it reaches the threshold. The
 * clusters are already joined; this makes the pair list, and each member's best cosine, match the exact search's.
 */
export async function closeGroups(
  pairs: IndexedPair[],
  threshold: number,
  load: (ids: string[]) => Promise<Map<string, Float32Array>>,
): Promise<IndexedPair[]> {
  const { groups } = pairGroups(pairs);
  const known = new Set(pairs.map((p) => (p.a < p.b ? `${p.a}:${p.b}` : `${p.b}:${p.a}`)));
  const out = [...pairs];
  const todo = [...groups.values()].filter((g) => g.length > 2 && g.length <= CLOSURE_MAX);
  for (let start = 0; start < todo.length; ) {
    // Vectors for about 2,000 photos at a time.
    const batch: string[][] = [];
    let n = 0;
    while (start < todo.length && n < 2000) {
      batch.push(todo[start]);
      n += todo[start++].length;
    }
    const vectors = await load(batch.flat());
    for (const g of batch)
      for (let i = 0; i < g.length; i++)
        for (let j = i + 1; j < g.length; j++) {
          const [a, b] = g[i] < g[j] ? [g[i], g[j]] : [g[j], g[i]];
          if (known.has(`${a}:${b}`)) continue;
          const va = vectors.get(a);
          const vb = vectors.get(b);
          if (!va || !vb) continue;
          const similarity = dot(va, vb);
          if (similarity >= threshold) out.push({ a, b, similarity });
        }
  }
  return out;
}
