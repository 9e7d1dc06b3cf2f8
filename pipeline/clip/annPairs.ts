// Near-duplicate pairs for every photo through the ANN index: candidates by approximate search, kept by exact cosine.
import type { BatchMatches, Matches, UsearchIndex as Index } from './usearch.ts';
import { getEmbeddingVectors, listEmbeddingBlock } from '../../lib/queries/clip.ts';
import { ANN_PARAMS } from './annIndex.ts';
import type { AnnKeys } from './annKeys.ts';
import { projectionOf, toIndexSpace } from './annProjection.ts';
import { decodeFloat16 } from './float16.ts';
import { multiplyTransposed } from './matmul.ts';

export type CandidatePair = { a: string; b: string };

/**
 * Candidates are taken a little below the threshold: the index compares quantized vectors. Measured on the bench's
 * vectors (pairs at cosine ≥ 0.85 among 20k): f16 moves a cosine by ≤ 1e-5, i8 by ≤ 0.0086 (a pair ≥ 0.95 read at most
 * 0.0067 low), so 0.03 covers i8 3×. The projection to ANN_DIMS moves cosines the other way: the projected cosine of
 * an exact pair fell at most 0.0008 below its exact one on the 1M bench (none at 250k) (it drops part of the difference between two
 * photos, and less of the photos themselves). Every candidate is re-scored exactly from the stored vectors anyway.
 */
export const CANDIDATE_MARGIN = 0.03;
const FIRST_K = 16;
/** Stored embeddings searched per multi-threaded search call (the bench pages its vectors the same way). */
export const SEARCH_BLOCK = 4096;
const MAX_K = 1024;

export function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

/**
 * The best k of each row. usearch's beam is max(the index's expansion_search, k) wide: the index is opened with a
 * narrow one (ANN_PARAMS.expansionSearch) for the all-neighbours pass, and `expansion` widens it per call by asking
 * that many results and keeping the best k ("similar photos" and the all-neighbours retries use the wide beam).
 * Every answer is shaped as a batch (usearch answers one row with a Matches: no counts, keys trimmed).
 */
export function searchRows(
  index: Index,
  rows: Float32Array,
  k: number,
  expansion: number = ANN_PARAMS.expansionWide,
): BatchShape {
  const wanted = Math.max(k, Math.min(expansion, index.size()));
  const r = index.search(rows, wanted, 0) as Matches | BatchMatches;
  let batch: BatchShape;
  if ('counts' in r) batch = r;
  else {
    const keys = new BigUint64Array(wanted);
    const distances = new Float32Array(wanted);
    keys.set(r.keys);
    distances.set(r.distances);
    batch = { keys, distances, counts: BigUint64Array.of(BigInt(r.keys.length)) };
  }
  if (wanted === k) return batch;
  const n = batch.counts.length;
  const keys = new BigUint64Array(n * k);
  const distances = new Float32Array(n * k);
  const counts = new BigUint64Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.min(k, Number(batch.counts[i]));
    keys.set(batch.keys.subarray(i * wanted, i * wanted + c), i * k);
    distances.set(batch.distances.subarray(i * wanted, i * wanted + c), i * k);
    counts[i] = BigInt(c);
  }
  return { keys, distances, counts };
}
type BatchShape = Pick<BatchMatches, 'keys' | 'distances' | 'counts'>;

/**
 * What the all-neighbours searches did since the caller zeroed it, for the bench: rows searched, those searched again
 * wide (and the CPU seconds that took), and those the wide beam did not reach either.
 */
export const searchStats = { rows: 0, middle: 0, wide: 0, wideCpu: 0, unreached: 0 };

export type NeighbourOptions = {
  /** Receives the rows whose narrow search lost them, searched again with the wide beam. */
  wideRows?: number[];
  /**
   * Receives the rows whose search did not return the row itself even with the wide beam: search misses, or nodes
   * no search reaches. HNSW's neighbour pruning leaves ~1-2 % on the ann bench (as many with a single-threaded add;
   * pipeline/clip/README.md); two near-copies can be stranded together (the annBuild test's lost pair), and then
   * neither side's search finds the pair. pairsThroughIndex scores these rows against each other exactly.
   */
  unreached?: number[];
  /** The first retry's beam (ANN_PARAMS.expansionMiddle; 0: straight to the wide one). */
  middle?: number;
};

/**
 * The neighbours of each query row at approximate cosine ≥ `floor`, other than the row itself (by key). Every row is
 * an indexed vector, so a search that reached its neighbourhood returns the row itself: first a narrow beam (the
 * index's expansion_search); a row whose answer lacks itself got lost in a dense region (HNSW's misses) and is searched
 * again with the `wide` beam. A row whose k-th neighbour still passes may have more: it is asked again with 4× k (a
 * big cluster of copies), up to MAX_K.
 */
export function neighboursAbove(
  index: Index,
  queries: Float32Array,
  keys: bigint[],
  floor: number,
  wide: number = ANN_PARAMS.expansionWide,
  opts: NeighbourOptions = {},
): bigint[][] {
  const dims = index.dimensions();
  const size = index.size();
  const out: bigint[][] = keys.map(() => []);
  const middle = opts.middle ?? ANN_PARAMS.expansionMiddle;
  searchStats.rows += keys.length;
  const visit = (rows: number[], k: number, expansion: number) => {
    if (rows.length === 0) return;
    const kk = Math.min(k, size);
    const block = new Float32Array(rows.length * dims);
    for (const [i, row] of rows.entries())
      block.set(queries.subarray(row * dims, (row + 1) * dims), i * dims);
    const m = searchRows(index, block, kk, expansion);
    const more: number[] = [];
    const lostMiddle: number[] = [];
    const lost: number[] = [];
    rows.forEach((row, i) => {
      const found: bigint[] = [];
      const n = Number(m.counts[i]);
      let full = n === kk;
      let self = false;
      for (let j = 0; j < n; j++) {
        const similarity = 1 - m.distances[i * kk + j];
        if (similarity < floor) {
          full = false;
          break;
        }
        const key = m.keys[i * kk + j];
        if (key === keys[row]) self = true;
        else found.push(key);
      }
      out[row] = found;
      if (full && kk < MAX_K && kk < size) more.push(row);
      else if (!self && !full) {
        if (expansion < middle) lostMiddle.push(row);
        else if (expansion < wide) lost.push(row);
        else {
          searchStats.unreached++;
          opts.unreached?.push(row);
        }
      }
    });
    visit(more, k * 4, expansion);
    // A middle beam first: most lost rows are found with it, at a fraction of the wide beam's cost.
    for (const [retry, beam] of [
      [lostMiddle, middle],
      [lost, wide],
    ] as const) {
      if (retry.length === 0) continue;
      if (beam === middle) searchStats.middle += retry.length;
      else searchStats.wide += retry.length;
      opts.wideRows?.push(...retry);
      const c = process.cpuUsage();
      visit(retry, k, beam);
      const used = process.cpuUsage(c);
      searchStats.wideCpu += (used.user + used.system) / 1e6;
    }
  };
  visit(
    keys.map((_, i) => i),
    FIRST_K,
    0,
  );
  return out;
}

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
   * The rows to search (default: every embedding of the model). Rows the index does not contain yet (embedded after
   * its build) are then left out, for a later pass: only a row the index holds is found by other rows' searches.
   */
  rows?: RowSource;
  /**
   * Takes each block's searched ids (those the index holds) and its verified pairs before the next block is read;
   * nothing is then kept in memory across blocks (no list, no closure: the caller stores the pairs and closes groups).
   * `strays` are the block's photos no search reached: the caller scores them against every other stray (its own and
   * earlier passes'), which this function then leaves to it.
   */
  onBlock?: (block: { searched: string[]; pairs: IndexedPair[]; strays: string[] }) => Promise<void>;
};

/**
 * Every pair of embedded photos whose exact cosine (of the stored float16 vectors) reaches `threshold`, each once,
 * a < b. Streams the model's embeddings in blocks, searches the index for each block, then scores the candidates.
 */
export async function pairsThroughIndex(
  index: Index,
  keyMap: AnnKeys,
  modelKey: string,
  threshold: number,
  opts: PairsOptions = {},
): Promise<IndexedPair[]> {
  const blockSize = opts.blockSize ?? SEARCH_BLOCK;
  const floor = threshold - CANDIDATE_MARGIN;
  let seen = new Set<string>();
  const pairs: IndexedPair[] = [];
  // The embeddings' dimensions (the index may hold a projection of them: searched with toIndexSpace's rows).
  const dims = projectionOf(index)?.from ?? index.dimensions();
  const source: RowSource = opts.rows ?? ((after, n) => listEmbeddingBlock(modelKey, after, n));
  // Photos no search reached (not even their own): their pairs with each other are scored exactly below.
  const stray: { ids: string[]; vectors: Float32Array[] } = { ids: [], vectors: [] };
  for (let after: string | null = null; ; ) {
    opts.signal?.throwIfAborted();
    const block = await source(after, blockSize);
    if (block.ids.length === 0) break;
    after = block.ids[block.ids.length - 1];
    if (opts.onBlock) seen = new Set();
    const rows: number[] = [];
    const rowKeys: bigint[] = [];
    const held = opts.rows
      ? (index.contains(block.ids.map((id) => keyMap.keyOf(id) ?? 0n)) as boolean[])
      : null;
    for (const [i, id] of block.ids.entries()) {
      const key = keyMap.keyOf(id);
      if (key === null || (held && !held[i])) continue;
      rows.push(i);
      rowKeys.push(key);
    }
    const queries = new Float32Array(rows.length * dims);
    for (const [i, r] of rows.entries()) decodeFloat16(block.vectors[r], queries, i * dims);
    const unreached: number[] = [];
    const found = neighboursAbove(
      index,
      await toIndexSpace(index, queries, rows.length),
      rowKeys,
      floor,
      ANN_PARAMS.expansionWide,
      { unreached },
    );
    if (!opts.onBlock)
      for (const i of unreached) {
        stray.ids.push(block.ids[rows[i]]);
        stray.vectors.push(queries.slice(i * dims, (i + 1) * dims));
      }
    const candidates: CandidatePair[] = [];
    found.forEach((keys, i) => {
      const self = block.ids[rows[i]];
      for (const key of keys) {
        const other = keyMap.idOf(key);
        if (other === null) continue;
        const [a, b] = self < other ? [self, other] : [other, self];
        const id = `${a}:${b}`;
        if (seen.has(id)) continue;
        seen.add(id);
        candidates.push({ a, b });
      }
    });
    const own = new Map<string, Float32Array>(
      rows.map((r, i) => [block.ids[r], queries.subarray(i * dims, (i + 1) * dims)]),
    );
    const others = await getEmbeddingVectors(
      [...new Set(candidates.flatMap((c) => [c.a, c.b]))].filter((id) => !own.has(id)),
      modelKey,
    );
    const vector = (id: string) => {
      const v = own.get(id);
      if (v) return v;
      const h = others.get(id);
      // An index entry whose embedding is gone or now another model's: not a pair.
      return h ? decodeFloat16(h) : null;
    };
    const verified: IndexedPair[] = [];
    for (const c of candidates) {
      const va = vector(c.a);
      const vb = vector(c.b);
      if (!va || !vb) continue;
      const similarity = dot(va, vb);
      if (similarity >= threshold) verified.push({ ...c, similarity });
    }
    if (opts.onBlock)
      await opts.onBlock({
        searched: rowKeys.map((_, i) => block.ids[rows[i]]),
        pairs: verified,
        strays: unreached.map((i) => block.ids[rows[i]]),
      });
    else pairs.push(...verified);
    await new Promise((r) => setImmediate(r));
  }
  if (opts.onBlock) return [];
  const strayPairs = (await pairsAmong(stray.ids, stray.vectors, threshold)).filter(
    (p) => !seen.has(`${p.a}:${p.b}`),
  );
  pairs.push(...strayPairs);
  return closeGroups(pairs, threshold, async (ids) => {
    const stored = await getEmbeddingVectors(ids, modelKey);
    return new Map([...stored].map(([id, v]) => [id, decodeFloat16(v)]));
  });
}

/**
 * Every pair (a < b) of the given photos at exact cosine ≥ threshold, by block matrix products: for the photos no
 * index search reached, a small share of the index (the bench counts them), quadratic in their count. With `fresh`,
 * only pairs with at least one of the first `fresh` photos are wanted (new strays against those scored before): blocks
 * of two older photos are skipped.
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
 * of near-copies (HNSW's recall dips inside tight groups) is scored exactly and kept if it reaches the threshold. The
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
