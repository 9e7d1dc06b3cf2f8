// The near-duplicate pass kept between runs: searches the ANN index only for photos embedded since the last pass, stores
// their verified pairs, and answers with every stored pair at the threshold (pairs among older photos are stored).
import {
  countCellPassEmbeddings,
  countOpenSearched,
  countUnsearchedEmbeddings,
  finishCellPass,
  getCellPass,
  listCellPassEmbeddings,
  saveCellBatch,
  saveCellCentroids,
  startCellPass,
  filterOpenSearched,
  getClipPairPass,
  listClipPairStrays,
  listClipPairs,
  listUnsearchedEmbeddings,
  resetClipPairPass,
  saveClosedGroups,
  saveSearchedBlock,
  saveStrayPairs,
  withClipPairLock,
  type StoredClipPair,
} from '../../lib/queries/clipPairs.ts';
import { countEmbeddings, getEmbeddingVectors } from '../../lib/queries/clip.ts';
import type { AnnMeta } from './annIndex.ts';
import type { AnnKeys } from './annKeys.ts';
import {
  CANDIDATE_MARGIN,
  CLOSURE_MAX,
  closeGroups,
  dot,
  pairGroups,
  pairsAmong,
  pairsThroughIndex,
  SEARCH_BLOCK,
} from './annPairs.ts';
import { projectionOf, toIndexSpace } from './annProjection.ts';
import { decodeFloat16 } from './float16.ts';
import { type CellRows, cellCount, cellPairs, fitCells, quantizeRows } from './pairCells.ts';
import type { UsearchIndex } from './usearch.ts';

/** What a pass did: `searched` rows went through the index; `reset` says why everything was searched again. */
export type PairPassProgress = {
  searched: number;
  total: number;
  pairs: number;
  /** What `searched` counts: photos searched through the index (the default), embeddings read, or cells compared. */
  unit?: 'photos' | 'read' | 'cells';
};
export type PairPassResult = {
  pairs: StoredClipPair[];
  searched: number;
  newPairs: number;
  closedPairs: number;
  /** Photos no search reached that this pass scored against every stray (its own and earlier passes'). */
  strays: number;
  /** Photos the pass compared by cells (its first pass, or many new photos), besides those `searched`. */
  cellPhotos: number;
  floor: number;
  reset: 'first pass' | 'threshold below the stored floor' | 'index rebuilt' | null;
};

/** Photos loaded per query while completing groups and reading stored pairs. */
const PAGE = 10_000;
/** Embeddings read per query by a pass by cells. */
const CELL_READ_PAGE = 16_384;
/**
 * A pass compares its unsearched photos by cells when they are at least this share of the embeddings: a pass by cells
 * reads and compares every embedding, at a cost the ann bench puts near CELL_PASS_SHARE × the index searches of them
 * all (pipeline/clip/README.md); fewer new photos are searched through the index, each in about a millisecond.
 */
export const CELL_PASS_SHARE = 0.1;

/**
 * Brings the stored pairs of `meta.modelKey` up to date with the index and returns those at or above `threshold`.
 * Pairs are stored down to the pass's floor (the threshold it started with); a higher threshold filters them, a lower
 * one, another index build (new parameters, quantization, a rebuild) or a first pass starts over. Each searched block
 * is written with its photos' searched marks in one transaction, and the groups' inner pairs are completed last with
 * marks of their own, so a pass killed anywhere resumes where it stopped, losing and doubling nothing. One pass at a
 * time (an advisory lock): a second waits, then finds the first's work stored.
 */
export function updateNearDuplicatePairs(...args: Parameters<typeof pairPass>): Promise<PairPassResult> {
  return withClipPairLock(() => pairPass(...args));
}

export type PairPassOptions = {
  signal?: AbortSignal;
  /** Rows per index search call (tests use small blocks to stop a pass between two). */
  blockSize?: number;
  onProgress?: (p: PairPassProgress) => void;
  /**
   * How the photos not searched yet are compared: by cells when they are at least CELL_PASS_SHARE of the embeddings
   * (a first pass), else through the index (the default, `auto`); tests force either.
   */
  mode?: 'auto' | 'cells' | 'index';
  /** Cells per batch written (tests stop a pass between two). */
  cellBatchRows?: number;
};

async function pairPass(
  index: UsearchIndex,
  keys: AnnKeys,
  meta: Pick<AnnMeta, 'modelKey' | 'builtAt'>,
  threshold: number,
  opts: PairPassOptions = {},
): Promise<PairPassResult> {
  const model = meta.modelKey;
  const state = await getClipPairPass(model);
  let reset: PairPassResult['reset'] = null;
  if (!state) reset = 'first pass';
  else if (state.indexBuiltAt !== meta.builtAt) reset = 'index rebuilt';
  else if (threshold < state.floor) reset = 'threshold below the stored floor';
  const floor = reset || !state ? threshold : state.floor;
  if (reset) await resetClipPairPass({ model, floor, indexBuiltAt: meta.builtAt });

  let newPairs = 0;
  let cellPhotos = 0;
  const unsearched = await countUnsearchedEmbeddings(model);
  const resuming = await getCellPass(model);
  const byCells =
    resuming !== null ||
    opts.mode === 'cells' ||
    ((opts.mode ?? 'auto') === 'auto' &&
      unsearched >= 2 &&
      unsearched >= CELL_PASS_SHARE * (await countEmbeddings(model)));
  if (byCells) {
    const cells = await passByCells(index, model, floor, opts);
    newPairs += cells.pairs;
    cellPhotos = cells.photos;
  }

  // Photos embedded after a pass by cells began (or every unsearched one when there was none): through the index.
  const total = byCells ? await countUnsearchedEmbeddings(model) : unsearched;
  let searched = 0;
  if (!byCells || total > 0) opts.onProgress?.({ searched, total, pairs: newPairs });
  await pairsThroughIndex(index, keys, model, floor, {
    signal: opts.signal,
    blockSize: opts.blockSize ?? SEARCH_BLOCK,
    rows: (after, n) => listUnsearchedEmbeddings(model, after, n),
    onBlock: async (b) => {
      newPairs += await saveSearchedBlock(model, b.searched, b.pairs, b.strays);
      searched += b.searched.length;
      opts.onProgress?.({ searched, total, pairs: newPairs });
    },
  });

  opts.signal?.throwIfAborted();
  const strays = await scoreStrays(model, floor);
  newPairs += strays.pairs;

  const stored = await loadStoredPairs(model, floor);
  const closed = await closeOpenGroups(model, stored, floor, opts.signal);
  const all = [...stored, ...closed];
  return {
    pairs: all.filter((p) => p.similarity >= threshold),
    searched,
    newPairs,
    closedPairs: closed.length,
    strays: strays.scored,
    cellPhotos,
    floor,
    reset,
  };
}

/**
 * A pass by cells over every embedding computed until it began (pairCells.ts): the embeddings are read once, projected
 * as the index projects them and held as int8 rows (256 bytes per photo at 256 dims: 2.6 GB at 10M, with their ids),
 * the centroids fitted on them and saved, then the cells compared in batches, each batch's candidates (over the floor
 * less CANDIDATE_MARGIN, as the index searches take them) scored exactly on the stored float16 vectors and written with
 * the count of cells done in one transaction. A killed pass reads the embeddings again and resumes at the next cell
 * with the saved centroids; the last step marks every photo it covered searched. An embedding computed after the cutoff
 * (new, or re-embedded meanwhile: the trigger drops its pairs) is left to the index searches that follow.
 */
async function passByCells(
  index: UsearchIndex,
  model: string,
  floor: number,
  opts: PairPassOptions,
): Promise<{ pairs: number; photos: number }> {
  const state = await getCellPass(model);
  const cutoff = state?.cutoff ?? (await startCellPass(model));
  const from = projectionOf(index)?.from ?? index.dimensions();
  const dims = projectionOf(index)?.dims ?? index.dimensions();
  const total = await countCellPassEmbeddings(model, cutoff);
  const rows: CellRows = { n: 0, dims, data: new Int8Array(total * dims) };
  const ids: string[] = [];
  opts.onProgress?.({ searched: 0, total, pairs: 0, unit: 'read' });
  for (let after: string | null = null; ; ) {
    opts.signal?.throwIfAborted();
    const block = await listCellPassEmbeddings(model, cutoff, after, CELL_READ_PAGE);
    // Rows deleted since the count leave room; none can be added (the cutoff is in the past).
    const n = Math.min(block.ids.length, total - rows.n);
    if (n <= 0) break;
    const raw = new Float32Array(n * from);
    for (let i = 0; i < n; i++) decodeFloat16(block.vectors[i], raw, i * from);
    quantizeRows(await toIndexSpace(index, raw, n), n, rows, rows.n);
    for (let i = 0; i < n; i++) ids.push(block.ids[i]);
    rows.n += n;
    after = block.ids[block.ids.length - 1];
    opts.onProgress?.({ searched: rows.n, total, pairs: 0, unit: 'read' });
  }
  let pairs = 0;
  if (rows.n >= 2) {
    let centroids: Float32Array;
    if (state?.centroids && state.centroids.byteLength % (dims * 4) === 0) {
      centroids = new Float32Array(state.centroids.byteLength / 4);
      new Uint8Array(centroids.buffer).set(state.centroids);
    } else {
      centroids = await fitCells(rows, cellCount(rows.n), opts.signal);
      await saveCellCentroids(model, new Uint8Array(Float32Array.from(centroids).buffer));
    }
    const cells = centroids.length / dims;
    const fromCell = state?.centroids ? state.cellsDone : 0;
    opts.onProgress?.({ searched: fromCell, total: cells, pairs, unit: 'cells' });
    await cellPairs(rows, centroids, floor - CANDIDATE_MARGIN, {
      fromCell,
      batchRows: opts.cellBatchRows,
      signal: opts.signal,
      onBatch: async (b) => {
        const candidates = Array.from(b.a, (a, i) =>
          ids[a] < ids[b.b[i]] ? [ids[a], ids[b.b[i]]] : [ids[b.b[i]], ids[a]],
        );
        const vectors = await getEmbeddingVectors([...new Set(candidates.flat())], model);
        const verified: StoredClipPair[] = [];
        for (const [a, c] of candidates) {
          const va = vectors.get(a);
          const vc = vectors.get(c);
          if (!va || !vc) continue;
          const similarity = dot(decodeFloat16(va), decodeFloat16(vc));
          if (similarity >= floor) verified.push({ a, b: c, similarity });
        }
        pairs += await saveCellBatch(model, verified, b.cellsDone);
        opts.onProgress?.({ searched: b.cellsDone, total: b.cells, pairs, unit: 'cells' });
      },
    });
  }
  opts.signal?.throwIfAborted();
  await finishCellPass(model, cutoff);
  return { pairs, photos: rows.n };
}

/**
 * Photos no index search reached (not even their own) find their reachable near-copies by their own search, but two
 * such near-copies find each other from neither side: each stray not scored yet (this pass's, or a killed pass's) is
 * scored exactly against every stray stored, of any pass; then the pairs and its mark are saved in one transaction.
 * Quadratic in the strays, a small share of the photos (pipeline/clip/README.md gives the measured shares).
 */
async function scoreStrays(model: string, floor: number): Promise<{ scored: number; pairs: number }> {
  const strays = await listClipPairStrays(model);
  if (strays.fresh === 0) return { scored: 0, pairs: 0 };
  const vectors = strays.vectors.map((v) => decodeFloat16(v));
  const pairs = await pairsAmong(strays.ids, vectors, floor, undefined, strays.fresh);
  const saved = await saveStrayPairs(model, pairs, strays.ids.slice(0, strays.fresh));
  return { scored: strays.fresh, pairs: saved };
}

async function loadStoredPairs(model: string, floor: number): Promise<StoredClipPair[]> {
  const out: StoredClipPair[] = [];
  for (let after: StoredClipPair | null = null; ; ) {
    const page = await listClipPairs(model, floor, after, PAGE * 5);
    if (page.length === 0) return out;
    for (const p of page) out.push(p);
    after = page[page.length - 1];
  }
}

/**
 * Completes the groups (of at most CLOSURE_MAX photos) that photos searched since the last completion joined: a pair
 * the index missed between two members is scored exactly (closeGroups). Groups untouched by new photos were completed
 * by an earlier pass. Then the pairs found are stored and every open photo marked closed, in one transaction (under
 * the pass's lock no other pass opens one meanwhile).
 */
async function closeOpenGroups(
  model: string,
  stored: StoredClipPair[],
  floor: number,
  signal?: AbortSignal,
): Promise<StoredClipPair[]> {
  if ((await countOpenSearched(model)) === 0) return [];
  signal?.throwIfAborted();
  const { rootOf, groups } = pairGroups(stored);
  // Only photos in some pair can be in a group: their open marks, asked page by page (a partial index answers).
  const touched = new Set<string>();
  const members = [...groups.values()].flat();
  for (let i = 0; i < members.length; i += PAGE)
    for (const id of await filterOpenSearched(model, members.slice(i, i + PAGE))) touched.add(rootOf(id));
  const inGroups = stored.filter((p) => {
    const r = rootOf(p.a);
    const n = groups.get(r)?.length ?? 0;
    return touched.has(r) && n > 2 && n <= CLOSURE_MAX;
  });
  const completed = await closeGroups(inGroups, floor, async (ids) => {
    const vectors = await getEmbeddingVectors(ids, model);
    return new Map([...vectors].map(([id, v]) => [id, decodeFloat16(v)]));
  });
  const found = completed.slice(inGroups.length);
  await saveClosedGroups(model, found);
  return found;
}
