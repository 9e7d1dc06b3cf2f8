// The near-duplicate pass kept between runs: compares every photo by cells on a first pass, then only the photos embedded
// since the last pass in their nearest cells, stores their verified pairs, and answers with every stored pair at the
// threshold (pairs among older photos are stored).
import {
  countOpenSearched,
  countUnsearchedEmbeddings,
  finishCellPass,
  getCellPass,
  saveCellBatch,
  saveCellCentroids,
  startCellPass,
  filterOpenSearched,
  getClipPairPass,
  listClipPairs,
  listUnsearchedEmbeddings,
  resetClipPairPass,
  saveClosedGroups,
  saveSearchedBlock,
  withClipPairLock,
  type StoredClipPair,
} from '../../lib/queries/clipPairs.ts';
import { countEmbeddings, getEmbeddingVectors } from '../../lib/queries/clip.ts';
import type { AnnMeta } from './annIndex.ts';
import type { AnnKeys } from './annKeys.ts';
import type { AnnProjection } from './annProjection.ts';
import {
  CANDIDATE_MARGIN,
  CLOSURE_MAX,
  closeGroups,
  pairGroups,
  pairsThroughCells,
  SEARCH_BLOCK,
  scoreCandidates,
} from './annPairs.ts';
import { CellIndex, type CellSource, CellIndexView } from './cellIndex.ts';
import { decodeFloat16 } from './float16.ts';
import { cellPairs } from './pairCells.ts';

/** The index a pass compares through: the builder's in memory (AnnSync) or a reader's view of the saved file. */
export type PassIndex = {
  index: CellSource;
  projection: AnnProjection | null;
  keys: AnnKeys;
  meta: Pick<AnnMeta, 'modelKey' | 'builtAt' | 'covers'>;
};

/** What a pass did: `searched` photos were compared in their nearest cells; `reset` says why everything was compared again. */
export type PairPassProgress = {
  searched: number;
  total: number;
  pairs: number;
  /** What `searched` counts: new photos searched in their nearest cells (the default), embeddings read into the index, or cells compared. */
  unit?: 'photos' | 'read' | 'cells';
};
export type PairPassResult = {
  pairs: StoredClipPair[];
  searched: number;
  newPairs: number;
  closedPairs: number;
  /** Photos the pass compared by cells (its first pass, or many new photos), besides those `searched`. */
  cellPhotos: number;
  floor: number;
  reset: 'first pass' | 'threshold below the stored floor' | 'index rebuilt' | null;
};

/** Photos loaded per query while completing groups and reading stored pairs. */
const PAGE = 10_000;
/**
 * A pass compares its unsearched photos by cells when they are at least this share of the embeddings: a pass by cells
 * compares every photo with its cells' members once, while a new photo searched alone meets its FRESH_PROBES nearest
 * cells' members (pairCells.ts), so from about this share on, the pass over everything costs no more.
 */
export const CELL_PASS_SHARE = 0.1;

/**
 * Brings the stored pairs of `meta.modelKey` up to date with the index and returns those at or above `threshold`.
 * Pairs are stored down to the pass's floor (the threshold it started with); a higher threshold filters them, a lower
 * one, an index built from scratch (another model, database or projection setting) or a first pass starts over. Each searched block
 * is written with its photos' searched marks in one transaction, and the groups' inner pairs are completed last with
 * marks of their own, so a pass killed anywhere resumes where it stopped, losing and doubling nothing. One pass at a
 * time (an advisory lock): a second waits, then finds the first's work stored.
 */
export function updateNearDuplicatePairs(...args: Parameters<typeof pairPass>): Promise<PairPassResult> {
  return withClipPairLock(() => pairPass(...args));
}

export type PairPassOptions = {
  signal?: AbortSignal;
  /** Photos searched per block of an incremental pass (tests use small blocks to stop a pass between two). */
  blockSize?: number;
  onProgress?: (p: PairPassProgress) => void;
  /**
   * How the photos not searched yet are compared: by cells when they are at least CELL_PASS_SHARE of the embeddings
   * (a first pass), else each in its nearest cells (`index`; the default, `auto`, chooses); tests force either.
   */
  mode?: 'auto' | 'cells' | 'index';
  /** Cells per batch written (tests stop a pass between two). */
  cellBatchRows?: number;
};

async function pairPass(
  ann: PassIndex,
  threshold: number,
  opts: PairPassOptions = {},
): Promise<PairPassResult> {
  const { meta } = ann;
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
    const cells = await passByCells(ann, model, floor, opts);
    newPairs += cells.pairs;
    cellPhotos = cells.photos;
  }

  // Photos embedded after a pass by cells began (or every unsearched one when there was none): each in its nearest cells.
  const total = byCells ? await countUnsearchedEmbeddings(model) : unsearched;
  let searched = 0;
  if (!byCells || total > 0) opts.onProgress?.({ searched, total, pairs: newPairs });
  await pairsThroughCells(ann.index, ann.projection, ann.keys, model, floor, {
    signal: opts.signal,
    blockSize: opts.blockSize ?? SEARCH_BLOCK,
    rows: (after, n) => listUnsearchedEmbeddings(model, after, n),
    onBlock: async (b) => {
      newPairs += await saveSearchedBlock(model, b.searched, b.pairs);
      searched += b.searched.length;
      opts.onProgress?.({ searched, total, pairs: newPairs });
    },
  });

  opts.signal?.throwIfAborted();
  const stored = await loadStoredPairs(model, floor);
  const closed = await closeOpenGroups(model, stored, floor, opts.signal);
  const all = [...stored, ...closed];
  return {
    pairs: all.filter((p) => p.similarity >= threshold),
    searched,
    newPairs,
    closedPairs: closed.length,
    cellPhotos,
    floor,
    reset,
  };
}

/**
 * A pass by cells over every photo of the index: its int8 rows (in memory: 256 bytes a photo, 2.6 GB at 10M; a reader's
 * view is loaded whole first), compared inside the index's own cells (pairCells.ts's cellPairs, the cells' assignment
 * reused when the index was just built), in batches, each batch's candidates (over the floor less CANDIDATE_MARGIN)
 * scored exactly on the stored float16 vectors and written with the count of cells done in one transaction. A killed
 * pass resumes at the next cell when the index still has the cells it started with (saved with the pass), else from
 * the first cell of the new ones; pairs written twice are kept once. The last step marks searched every photo embedded
 * before the pass's cutoff, which is at or before the index's `covers`: all of those were among the rows compared. A
 * photo embedded later (new, or re-embedded meanwhile: the trigger drops its pairs) is left to the incremental passes.
 */
async function passByCells(
  ann: PassIndex,
  model: string,
  floor: number,
  opts: PairPassOptions,
): Promise<{ pairs: number; photos: number }> {
  const state = await getCellPass(model);
  const covers = new Date(ann.meta.covers);
  const cutoff = state && state.cutoff <= covers ? state.cutoff : await startCellPass(model, covers);
  const resumable = state && state.cutoff <= covers ? state : null;
  const index =
    ann.index instanceof CellIndexView ? CellIndex.load(ann.index.file) : (ann.index as CellIndex);
  const { rows, keys } = index.compact();
  const ids = (row: number) => ann.keys.idOf(keys[row]);
  let pairs = 0;
  if (rows.n >= 2) {
    const centroids = index.centroids;
    const bytes = new Uint8Array(centroids.buffer, centroids.byteOffset, centroids.byteLength);
    const same = !!resumable?.centroids && Buffer.from(resumable.centroids).equals(Buffer.from(bytes));
    if (!same) await saveCellCentroids(model, new Uint8Array(bytes));
    const fromCell = same && resumable ? resumable.cellsDone : 0;
    const cells = index.cells;
    opts.onProgress?.({ searched: fromCell, total: cells, pairs, unit: 'cells' });
    await cellPairs(rows, centroids, floor - CANDIDATE_MARGIN, {
      fromCell,
      batchRows: opts.cellBatchRows,
      signal: opts.signal,
      // The build's assignment of every row, unless the index changed since (compact() drops it then).
      assigned: index.assigned,
      onBatch: async (b) => {
        const candidates: { a: string; b: string }[] = [];
        for (let i = 0; i < b.a.length; i++) {
          const x = ids(b.a[i]);
          const y = ids(b.b[i]);
          if (x !== null && y !== null) candidates.push(x < y ? { a: x, b: y } : { a: y, b: x });
        }
        const verified = await scoreCandidates(candidates, model, floor);
        pairs += await saveCellBatch(model, verified, b.cellsDone);
        opts.onProgress?.({ searched: b.cellsDone, total: b.cells, pairs, unit: 'cells' });
      },
    });
  }
  opts.signal?.throwIfAborted();
  await finishCellPass(model, cutoff);
  return { pairs, photos: rows.n };
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
