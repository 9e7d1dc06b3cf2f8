// The approximate nearest-neighbour index (usearch HNSW) of one CLIP model's embeddings, persisted under DATA_DIR/ann.
import fs from 'node:fs';
import path from 'node:path';
import { Index, MetricKind, ScalarKind, type UsearchIndex } from './usearch.ts';
import {
  clearAnnStale,
  databaseIdentity,
  getEmbeddingVectors,
  listAnnStale,
  listEmbeddedIds,
  withEmbeddingIndexLock,
} from '../../lib/queries/clip.ts';
import { loadSettings } from '../../lib/settings.ts';
import { AnnKeys } from './annKeys.ts';
import {
  type AnnProjection,
  attachProjection,
  fitProjection,
  loadProjection,
  saveProjection,
  toIndexSpace,
} from './annProjection.ts';
import { decodeFloat16 } from './float16.ts';

/**
 * HNSW parameters, chosen with `npm run bench -- ann` (pipeline/clip/README.md). expansionSearch is the narrow beam
 * the all-neighbours pass searches every photo with; a photo whose search does not return itself (lost in a dense
 * region) is searched again, first with expansionMiddle, then (still lost) with expansionWide, the beam "similar
 * photos" queries use. Only connectivity and expansionAdd shape the saved graph (a change rebuilds it); the search
 * beams apply per search.
 */
export type AnnParams = {
  connectivity: number;
  expansionAdd: number;
  expansionSearch: number;
  /** The first retry of a lost row (0: none, straight to expansionWide). */
  expansionMiddle: number;
  expansionWide: number;
};
/**
 * Measured at 250k on the bench (pipeline/clip/README.md's table, 2026-12-06): connectivity 24 with expansionAdd 96 and
 * a narrow beam of 64 found 0.9982 of the exact pairs for 154 + 139 CPU s (build + search), against 0.9909 for
 * 114 + 217 with the earlier 16 / 64 / 128; its searches lose their own photo less often (3.6 % against 5.6 %, so
 * fewer wide retries) and leave 0.22 % of the photos unreached against 1.96 % (their exact scoring is quadratic in
 * that count). 24 / 64 / 64 was cheaper to build (121 CPU s) but recalled 0.9936 with 1.14 % unreached.
 * The middle beam (192) before the wide one: at 1M 12 % of the narrow searches lost their own photo and the wide retry
 * took 472 of the search's 1,258 CPU s; most lost rows are found again with a beam a third as wide.
 * Re-swept at 256 dims (250k, 2026-12-06 midday): 16 / 64 and 20 / 64 saved ≤ 10 % of the build CPU (70–71 s against 78)
 * and spent it again in the search (103–104 s against 92: 3–5× as many lost searches), recalling 0.9905–0.9923 against
 * 1.0000; the build is usearch's insertion (the projection ~4 % of it), so these stay.
 * Since the first pass compares by cells, the graph serves "similar photos" and the index searches of the few photos a
 * later pass adds, yet its build is most of a first pass. Quiet runs (2026-12-06 evening, cells cut even): at 1M, 24 / 96
 * built in 866 CPU s, 16 / 64 in 590 and 12 / 48 in 430 (the pass by cells 166–175); at 3M 16 / 64 took 2,428 (809 µs
 * per vector against 590 at 1M), so even 16 / 64 extrapolates to ~3 h of build CPU at 10M and misses the 2 h target
 * there, while costing the index searches recall (~0.99 at 250k; 12 / 48: 0.9746) and "similar photos" recall@12
 * (0.7275 against 0.7479 at 1M). A thinner graph is no way to 10M; these stay (pipeline/clip/README.md).
 */
export const ANN_PARAMS: Readonly<AnnParams> = {
  connectivity: 24,
  expansionAdd: 96,
  expansionSearch: 64,
  expansionMiddle: 192,
  expansionWide: 512,
};
/**
 * The dimensions the index holds: CLIP's 512-d embeddings are projected on their top 256 principal directions
 * (annProjection.ts), fitted on the first page of stored embeddings. Measured at 250k on the bench (2026-12-06, load
 * 8–10): 109 + 116 CPU s (build + search) against 154 + 139 unprojected, the projected cosine of every exact pair
 * (2,202, cosine ≥ 0.95) at or above its exact one (lowest 0.958; at 1M at most 0.0008 below, lowest 0.952), so the
 * candidate floor (threshold − CANDIDATE_MARGIN) loses none. 1M: 663 + 750 CPU s against 731 + 1,258, recall 0.9977
 * (quiet on main: 515 + 601 CPU s, recall 0.9968). At 192 or fewer dimensions the projection lifts photos of one topic
 * (exact ~0.8) over the floor: 20k vectors gave 0.5M candidates at 192 against 1.2k at 256 (the bench's noise is spread over every
 * direction; real CLIP embeddings concentrate in fewer). Candidates are always re-scored on the stored 512-d vectors.
 */
export const ANN_DIMS = 256;
export type AnnQuantization = 'f16' | 'i8';
/**
 * The quantization a caller that names none gets: CLIP_ANN_QUANTIZATION's default, defined once in lib/settings.ts
 * (which says why i8: the 12 GB target at 10M; its cosine error, ≤ 0.009 measured, is inside CANDIDATE_MARGIN).
 */
export const ANN_QUANTIZATION: AnnQuantization = loadSettings({}).CLIP_ANN_QUANTIZATION;
/** Embeddings added per multi-threaded add (and read from the database per page while building). */
export const ANN_ADD_PAGE = 16_384;

/** One page of vectors into the index, on every core (usearch's threads = 0 means all it sees). */
export function addPage(index: UsearchIndex, keys: BigUint64Array, vectors: Float32Array): void {
  index.add(keys, vectors, 0);
}

/**
 * The projection's fit: the first page of embeddings (in id order, ANN_ADD_PAGE of them) when it holds at least
 * PROJECTION_MIN_SAMPLE; a smaller collection is indexed as it is (cheap at that size), and that index is rebuilt with a
 * projection once it holds PROJECTION_REBUILD_AT vectors.
 */
export const PROJECTION_MIN_SAMPLE = 8192;
export const PROJECTION_REBUILD_AT = 4 * PROJECTION_MIN_SAMPLE;
export type ProjectionSettings = { dims: number; minSample: number; rebuildAt: number };
const PROJECTION: ProjectionSettings = {
  dims: ANN_DIMS,
  minSample: PROJECTION_MIN_SAMPLE,
  rebuildAt: PROJECTION_REBUILD_AT,
};

/** What an index file holds: a new model, dimension, quantization or parameters means a rebuild from scratch. */
export type AnnMeta = {
  format: 2;
  modelKey: string;
  /** The database the index mirrors (cluster id and name): a DATA_DIR moved to another database is rebuilt. */
  database: string;
  /** The embeddings' dimensions. */
  dims: number;
  /** The index's: `projection` (a file beside the index, annProjection.ts) maps the embeddings to them; null: none. */
  indexDims: number;
  projection: string | null;
  quantization: AnnQuantization;
  connectivity: number;
  expansionAdd: number;
  size: number;
  builtAt: string;
  updatedAt: string;
};

export const annFiles = (dataDir: string) => {
  const dir = path.join(dataDir, 'ann');
  return {
    dir,
    index: path.join(dir, 'clip.usearch'),
    meta: path.join(dir, 'clip.json'),
    keys: path.join(dir, 'clip.keys.json'),
  };
};

export function readAnnMeta(dataDir: string): AnnMeta | null {
  try {
    return JSON.parse(fs.readFileSync(annFiles(dataDir).meta, 'utf8')) as AnnMeta;
  } catch {
    return null;
  }
}

/** `params` other than ANN_PARAMS only for the bench's parameter sweeps: the pipeline always builds with the defaults. */
export function newIndex(
  dims: number,
  quantization: AnnQuantization,
  params: Readonly<AnnParams> = ANN_PARAMS,
): UsearchIndex {
  return new Index({
    dimensions: dims,
    metric: MetricKind.Cos,
    quantization: quantization === 'i8' ? ScalarKind.I8 : ScalarKind.F16,
    connectivity: params.connectivity,
    expansion_add: params.expansionAdd,
    expansion_search: params.expansionSearch,
    multi: false,
  });
}

function compatible(
  meta: AnnMeta | null,
  modelKey: string,
  quantization: AnnQuantization,
  database: string,
  projection: ProjectionSettings,
): meta is AnnMeta {
  const projectionOk = meta?.projection
    ? meta.indexDims === projection.dims
    : // Unprojected: the collection was too small to fit one, or the embeddings are no wider than the projection.
      !!meta && (meta.dims <= projection.dims || meta.size < projection.rebuildAt);
  return (
    meta?.format === 2 &&
    projectionOk &&
    meta.database === database &&
    meta.modelKey === modelKey &&
    meta.quantization === quantization &&
    meta.connectivity === ANN_PARAMS.connectivity &&
    meta.expansionAdd === ANN_PARAMS.expansionAdd
  );
}

/** Writes the index then its meta, each by rename: a reader or a restart sees the previous pair or the new one. */
function persist(index: UsearchIndex, keys: AnnKeys, meta: AnnMeta, dataDir: string): void {
  const f = annFiles(dataDir);
  fs.mkdirSync(f.dir, { recursive: true });
  // The key map only grows: written first, it covers every key of whichever index file a reader sees.
  if (keys.dirty) keys.save(f.keys);
  index.save(`${f.index}.tmp`);
  fs.renameSync(`${f.index}.tmp`, f.index);
  fs.writeFileSync(`${f.meta}.tmp`, JSON.stringify(meta, null, 2));
  fs.renameSync(`${f.meta}.tmp`, f.meta);
}

export type AnnSync = {
  index: UsearchIndex;
  keys: AnnKeys;
  meta: AnnMeta;
  added: number;
  rebuilt: boolean;
  skippedIds: number;
};

export type SyncOptions = {
  quantization?: AnnQuantization;
  signal?: AbortSignal;
  /**
   * Saved every this many added vectors, so a crash mid-build resumes from the last save, and no sooner than
   * `checkpointSeconds` after the previous save: each save writes the whole index (~4.4 GB at 10M), so saving every
   * 500k vectors would write ~46 GB over a 10M build, and a crash loses at most this long of adding either way.
   */
  checkpointEvery?: number;
  checkpointSeconds?: number;
  onProgress?: (indexed: number) => void;
  /** The projection's dimensions and sample sizes (tests use small ones; the pipeline's are ANN_DIMS etc.). */
  projection?: ProjectionSettings;
};

/** The index's projection file, named per build so a reader of the previous index never loads the next one's. */
const projectionFile = (dataDir: string, name: string) => path.join(annFiles(dataDir).dir, name);

/**
 * The projection of a new index, fitted on its first page of embeddings, saved beside the index before any meta names
 * it; null when the page is too small to fit one or the embeddings are no wider than the projection.
 */
async function newProjection(
  block: Float32Array,
  n: number,
  dims: number,
  settings: ProjectionSettings,
  dataDir: string,
): Promise<{ projection: AnnProjection | null; file: string | null }> {
  if (dims <= settings.dims || n < settings.minSample) return { projection: null, file: null };
  const projection = await fitProjection(block, n, dims, settings.dims);
  const file = `clip.pca-${Date.now()}.f32`;
  fs.mkdirSync(annFiles(dataDir).dir, { recursive: true });
  saveProjection(projection, projectionFile(dataDir, file));
  return { projection, file };
}

/** The saved index's projection (null for an unprojected one), for the readers of a saved index. */
export function loadAnnProjection(dataDir: string, meta: AnnMeta): AnnProjection | null {
  return meta.projection
    ? loadProjection(projectionFile(dataDir, meta.projection), meta.dims, meta.indexDims)
    : null;
}

/**
 * Brings the index up to date with the stored embeddings of `modelKey`: loads it, adds every embedded photo it lacks
 * (the whole set on a first build or after a model change), in pages, saving checkpoints as it goes. One writer at a
 * time (a PostgreSQL advisory lock); returns the index in memory for the caller's searches.
 */
export async function syncAnnIndex(
  modelKey: string,
  dataDir: string,
  opts: SyncOptions = {},
): Promise<AnnSync> {
  const quantization = opts.quantization ?? ANN_QUANTIZATION;
  const checkpointEvery = opts.checkpointEvery ?? 500_000;
  const checkpointMs = (opts.checkpointSeconds ?? 600) * 1000;
  const projectionSettings = opts.projection ?? PROJECTION;
  return withEmbeddingIndexLock(async () => {
    const f = annFiles(dataDir);
    const previous = readAnnMeta(dataDir);
    const database = await databaseIdentity();
    let index: UsearchIndex | null = null;
    let meta: AnnMeta | null = null;
    let keys = new AnnKeys();
    if (
      compatible(previous, modelKey, quantization, database, projectionSettings) &&
      fs.existsSync(f.index)
    ) {
      index = newIndex(previous.indexDims, quantization);
      index.load(f.index);
      attachProjection(index, loadAnnProjection(dataDir, previous));
      meta = previous;
      keys = AnnKeys.load(f.keys);
    } else if (previous) dropAnnIndex(dataDir);
    // Photos re-embedded or deleted since the last sync: their old vectors leave the index here, and the walk below
    // adds each current one back (it is missing now). The rows go once an index without them is saved.
    const applied: bigint[] = [];
    let removed = 0;
    for (let after = 0n; ; ) {
      const rows = await listAnnStale(after, ANN_ADD_PAGE);
      if (rows.length === 0) break;
      after = rows[rows.length - 1].id;
      for (const r of rows) applied.push(r.id);
      const gone = rows.flatMap((r) => {
        const key = r.model === modelKey ? keys.keyOf(r.photoId) : null;
        return key === null ? [] : [key];
      });
      if (index && gone.length)
        removed += [index.remove(BigUint64Array.from(gone))].flat().reduce((a, b) => a + b, 0);
    }
    let rebuilt = !meta;
    let added = 0;
    let sinceSave = 0;
    let savedAt = performance.now();
    let skippedIds = 0;
    const now = () => new Date().toISOString();
    for (let after: string | null = null; ; ) {
      opts.signal?.throwIfAborted();
      const ids = await listEmbeddedIds(modelKey, after, ANN_ADD_PAGE);
      if (ids.length === 0) break;
      after = ids[ids.length - 1];
      const keyed = ids.flatMap((id) => {
        const key = keys.keyOf(id);
        if (key === null) skippedIds++;
        return key === null ? [] : [{ id, key }];
      });
      if (keyed.length === 0) continue;
      const present = index ? (index.contains(keyed.map((k) => k.key)) as boolean[]) : [];
      const missing = keyed.filter((_, i) => !present[i]);
      if (missing.length === 0) continue;
      const vectors = await getEmbeddingVectors(
        missing.map((m) => m.id),
        modelKey,
      );
      const rows = missing.filter((m) => vectors.has(m.id));
      if (rows.length === 0) continue;
      const dims = vectors.get(rows[0].id)!.length / 2;
      if (index && meta && dims !== meta.dims) {
        // Same model name, other dimension (a re-exported model under an old name): nothing in the index is usable.
        dropAnnIndex(dataDir);
        index = null;
        meta = null;
        rebuilt = true;
        added = 0;
        after = null;
        continue;
      }
      const block = new Float32Array(rows.length * dims);
      for (const [i, r] of rows.entries()) decodeFloat16(vectors.get(r.id)!, block, i * dims);
      if (!index || !meta) {
        const { projection, file } = await newProjection(
          block,
          rows.length,
          dims,
          projectionSettings,
          dataDir,
        );
        index = newIndex(projection?.dims ?? dims, quantization);
        attachProjection(index, projection);
        meta = {
          format: 2,
          modelKey,
          database,
          dims,
          indexDims: projection?.dims ?? dims,
          projection: file,
          quantization,
          connectivity: ANN_PARAMS.connectivity,
          expansionAdd: ANN_PARAMS.expansionAdd,
          size: 0,
          builtAt: now(),
          updatedAt: now(),
        };
      }
      addPage(
        index,
        BigUint64Array.from(rows, (r) => r.key),
        await toIndexSpace(index, block, rows.length),
      );
      added += rows.length;
      sinceSave += rows.length;
      opts.onProgress?.(index.size());
      if (sinceSave >= checkpointEvery && performance.now() - savedAt >= checkpointMs) {
        persist(index, keys, { ...meta, size: index.size(), updatedAt: now() }, dataDir);
        sinceSave = 0;
        savedAt = performance.now();
      }
      // Adding blocks the thread for a few seconds per page: let timers and I/O (heartbeats, cancels) through.
      await new Promise((r) => setImmediate(r));
    }
    if (!index || !meta) {
      // No embeddings of this model: an index of another model would only mislead readers.
      if (previous && previous.modelKey !== modelKey) dropAnnIndex(dataDir);
      throw new NoEmbeddingsError(modelKey);
    }
    meta = { ...meta, size: index.size(), updatedAt: now() };
    if (added > 0 || rebuilt || removed > 0) persist(index, keys, meta, dataDir);
    // Rows of other models too: this directory's one index is of `modelKey` (another model's is built from scratch).
    await clearAnnStale(applied);
    return { index, keys, meta, added, rebuilt, skippedIds };
  });
}

export class NoEmbeddingsError extends Error {
  constructor(modelKey: string) {
    super(`no embeddings of ${modelKey}`);
    this.name = 'NoEmbeddingsError';
  }
}

export function dropAnnIndex(dataDir: string): void {
  const f = annFiles(dataDir);
  fs.rmSync(f.meta, { force: true });
  fs.rmSync(f.index, { force: true });
  fs.rmSync(f.keys, { force: true });
  if (fs.existsSync(f.dir))
    for (const name of fs.readdirSync(f.dir))
      if (/^clip\.pca-\d+\.f32(\.tmp)?$/.test(name)) fs.rmSync(path.join(f.dir, name), { force: true });
}
