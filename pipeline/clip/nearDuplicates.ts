// Semantic near-duplicates: every pair of photos whose CLIP embeddings' cosine similarity reaches a threshold.
import { countEmbeddings, latestEmbeddingModel, listEmbeddingBlock } from '../../lib/queries/clip.ts';
import { dataDir } from '../../lib/settings.ts';
import { syncAnnIndex } from './annIndex.ts';
import { viewSavedAnnIndex } from './annSaved.ts';
import type { ClipConfig } from './config.ts';
import { decodeFloat16 } from './float16.ts';
import { multiplyTransposed } from './matmul.ts';
import {
  type PairPassOptions,
  type PairPassProgress,
  type PairPassResult,
  updateNearDuplicatePairs,
} from './pairPass.ts';
import { clipModelStatus } from './status.ts';

export type NearDuplicatePair = { a: string; b: string; similarity: number };

/** Embeddings held as float16 (1 KB per photo at 512 dims); decoded to float32 one block at a time. */
export type EmbeddingStore = { ids: string[]; halves: Uint8Array[]; dim: number };

function decodeBlock(store: EmbeddingStore, start: number, end: number): Float32Array {
  const out = new Float32Array((end - start) * store.dim);
  for (let i = start; i < end; i++) decodeFloat16(store.halves[i], out, (i - start) * store.dim);
  return out;
}

/**
 * All pairs (a < b by position) with cosine ≥ threshold, by block matrix products: O(n²·d) arithmetic in
 * MLAS kernels, O(block²) working memory. Unit vectors, so the dot product is the cosine.
 */
export async function pairsAboveThreshold(
  store: EmbeddingStore,
  threshold: number,
  blockSize = 2048,
): Promise<NearDuplicatePair[]> {
  const pairs: NearDuplicatePair[] = [];
  const n = store.ids.length;
  for (let i = 0; i < n; i += blockSize) {
    const iEnd = Math.min(n, i + blockSize);
    const left = decodeBlock(store, i, iEnd);
    for (let j = i; j < n; j += blockSize) {
      const jEnd = Math.min(n, j + blockSize);
      const right = j === i ? left : decodeBlock(store, j, jEnd);
      const sims = await multiplyTransposed(left, iEnd - i, right, jEnd - j, store.dim);
      const cols = jEnd - j;
      for (let r = 0; r < iEnd - i; r++) {
        // Within a diagonal block only the upper triangle: each pair once, never a photo with itself.
        for (let c = j === i ? r + 1 : 0; c < cols; c++) {
          const s = sims[r * cols + c];
          if (s >= threshold) pairs.push({ a: store.ids[i + r], b: store.ids[j + c], similarity: s });
        }
      }
    }
  }
  return pairs;
}

/**
 * Loads a model's embeddings from the database in keyset-paged blocks, all into memory (1 KB per photo: 10 GB at 10M):
 * for the exact reference only (tests, bench). The pipeline's pass streams blocks (pairPass.ts).
 */
export async function loadEmbeddingStore(modelKey: string, pageSize = 10_000): Promise<EmbeddingStore> {
  const store: EmbeddingStore = { ids: [], halves: [], dim: 0 };
  let after: string | null = null;
  for (;;) {
    const block = await listEmbeddingBlock(modelKey, after, pageSize);
    if (block.ids.length === 0) break;
    store.ids.push(...block.ids);
    store.halves.push(...block.vectors);
    after = block.ids[block.ids.length - 1];
  }
  store.dim = store.halves.length ? store.halves[0].length / 2 : 0;
  return store;
}

/**
 * Brings the saved index of a model under a DATA_DIR up to date, by whatever means the caller has: in a worker, a
 * pg-boss job that one worker at a time runs (pipeline/runs/annBuild.ts); resolves once it is saved.
 */
export type AnnBuilder = (req: { modelKey: string; dataDir: string }, signal?: AbortSignal) => Promise<void>;

/**
 * The pairs the duplicates check merges into its clusters alongside perceptual-hash matches, for every photo: the
 * ANN index under DATA_DIR/ann is brought up to date (built on first use or after a model change), then the pairs kept
 * from earlier passes are brought up to date by comparing only the photos embedded since (pairPass.ts; every photo by
 * cells on a first pass), each candidate kept only if its exact cosine reaches the threshold.
 * Uses the most recent model's embeddings unless one is named (`name@hash`, as stored). With `build`, the index is
 * built elsewhere and read from the saved file; without, this process builds it (tools, tests, benches) and passes
 * its copy in memory straight to the pass.
 */
export async function findClipNearDuplicates(
  threshold: number,
  opts: {
    modelKey?: string;
    dataDir?: string;
    signal?: AbortSignal;
    build?: AnnBuilder;
    onProgress?: (p: PairPassProgress) => void;
    /** Photos per block of an incremental pass (tests use small blocks to stop a pass between two). */
    blockSize?: number;
    /** By cells or photo by photo (pairPass.ts decides by the share of unsearched photos; tests force either). */
    mode?: PairPassOptions['mode'];
    /** Rows per batch of cells written (tests stop a pass between two). */
    cellBatchRows?: number;
  } = {},
): Promise<NearDuplicatePair[]> {
  return (await nearDuplicatePass(threshold, opts))?.pairs ?? [];
}

/** findClipNearDuplicates with what its pass did (rows searched, pairs new, why it started over); null: no embeddings. */
export async function nearDuplicatePass(
  threshold: number,
  opts: Parameters<typeof findClipNearDuplicates>[1] = {},
): Promise<PairPassResult | null> {
  const modelKey = opts.modelKey ?? (await latestEmbeddingModel());
  if (!modelKey || (await countEmbeddings(modelKey)) < 2) return null;
  const dir = opts.dataDir ?? dataDir();
  const pass: PairPassOptions = {
    signal: opts.signal,
    onProgress: opts.onProgress,
    blockSize: opts.blockSize,
    mode: opts.mode,
    cellBatchRows: opts.cellBatchRows,
  };
  if (opts.build) {
    await opts.build({ modelKey, dataDir: dir }, opts.signal);
    const saved = viewSavedAnnIndex(dir);
    if (!saved || saved.meta.modelKey !== modelKey)
      throw new Error(`ANN index of ${modelKey} missing under ${dir} after its build (is DATA_DIR shared?)`);
    return updateNearDuplicatePairs(saved, threshold, pass);
  }
  // The build reads every embedding on a first sync (minutes at 10M): shown as the pass's first part.
  const onProgress = opts.onProgress;
  const synced = await syncAnnIndex(modelKey, dir, {
    signal: opts.signal,
    onProgress: onProgress && ((searched, total) => onProgress({ searched, total, pairs: 0, unit: 'read' })),
  });
  return updateNearDuplicatePairs(synced, threshold, pass);
}

/** Which embeddings feed the duplicate clusters: the installed model's, at the configured cosine threshold. */
export type ClipPairSource = { modelKey: string; threshold: number };

export const clipSourceNote = (s: ClipPairSource) =>
  `CLIP near-duplicates from ${s.modelKey} at cosine ≥ ${s.threshold}`;

/**
 * The installed model as a source of duplicate pairs, or why there is none: no model, or a model whose manifest says
 * its embeddings do not measure similarity. Pairs come only from embeddings of that exact model. Above
 * CLIP_NEAR_DUPLICATE_MAX_PHOTOS (a memory guard: the index builder holds ~0.3 KB per photo in RAM, ~3.5 GB at 10M) they are skipped.
 */
export async function clipPairSource(
  config: ClipConfig,
): Promise<{ source: ClipPairSource | null; note: string }> {
  const status = await clipModelStatus(config);
  if (!status.installed)
    return { source: null, note: `${status.message}: duplicates from perceptual hashes only` };
  if (!status.nearDuplicates)
    return {
      source: null,
      note: `CLIP model ${status.name} declares its embeddings unfit for similarity: duplicates from perceptual hashes only`,
    };
  const modelKey = `${status.name}@${status.hash}`;
  const count = await countEmbeddings(modelKey);
  if (count > config.nearDuplicateMaxPhotos) {
    return {
      source: null,
      note: `${count} CLIP embeddings exceed CLIP_NEAR_DUPLICATE_MAX_PHOTOS (${config.nearDuplicateMaxPhotos}), the index's memory guard: duplicates from perceptual hashes only`,
    };
  }
  const source = { modelKey, threshold: config.nearDuplicate };
  return { source, note: clipSourceNote(source) };
}
