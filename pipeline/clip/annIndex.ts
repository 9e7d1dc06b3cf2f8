// The approximate nearest-neighbour index of one CLIP model's embeddings (an index of cells, cellIndex.ts), persisted
// under DATA_DIR/ann.
import fs from 'node:fs';
import path from 'node:path';
import {
  clearAnnStale,
  countEmbeddings,
  databaseIdentity,
  embeddingsVisibleBefore,
  getEmbeddingVectors,
  listAnnStale,
  listEmbeddedIds,
  listEmbeddingBlock,
  withEmbeddingIndexLock,
} from '../../lib/queries/clip.ts';
import { AnnKeys } from './annKeys.ts';
import {
  type AnnProjection,
  fitProjection,
  loadProjection,
  project,
  saveProjection,
} from './annProjection.ts';
import { CellIndex } from './cellIndex.ts';
import { decodeFloat16 } from './float16.ts';
import { CELL_PROBES, type CellRows, cellCount, fitCells, nearestCells, quantizeRows } from './pairCells.ts';

/**
 * The dimensions the index holds: CLIP's 512-d embeddings are projected on their top 256 principal directions
 * (annProjection.ts), fitted on the first page of stored embeddings. Measured on the ann bench (pipeline/clip/README.md):
 * the projected cosine of every exact pair (cosine ≥ 0.95) at most 0.0008 below its exact one at 1M, so the candidate
 * floor (threshold − CANDIDATE_MARGIN) loses none; at 192 or fewer dimensions the projection lifts photos of one topic
 * (exact ~0.8) over the floor (20k vectors gave 0.5M candidates at 192 against 1.2k at 256). Rows are held as int8
 * (256 bytes a photo); candidates are always re-scored on the stored 512-d vectors.
 */
export const ANN_DIMS = 256;
/** Embeddings read from the database per query while building or updating. */
export const ANN_ADD_PAGE = 16_384;

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
/**
 * New photos are filed under the cells fitted before them; once the index holds REFIT_GROWTH × the rows its cells were
 * fitted on, they are fitted again on every row (the best count of cells grows as √n, pairCells.ts's cellCount), in
 * memory from the index's own rows: a refit reads nothing from the database.
 */
export const REFIT_GROWTH = 2;

/** What an index file holds: a new model, database, dimension or projection setting means a rebuild from scratch. */
export type AnnMeta = {
  format: 3;
  modelKey: string;
  /** The database the index mirrors (cluster id and name): a DATA_DIR moved to another database is rebuilt. */
  database: string;
  /** The embeddings' dimensions. */
  dims: number;
  /** The index's: `projection` (a file beside the index, annProjection.ts) maps the embeddings to them; null: none. */
  indexDims: number;
  projection: string | null;
  cells: number;
  /** Rows the cells were fitted on (refitted at REFIT_GROWTH × as many). */
  fittedSize: number;
  size: number;
  /**
   * A time (the database's clock) before which every embedding written, and still current, is in the index: the start
   * of the sync that saved it, or of the oldest write still open then (lib/queries/clip.ts). A pass by cells marks
   * those searched, and no later ones.
   */
  covers: string;
  /** When the index was built from scratch: a new one starts the pair pass over (pairPass.ts). */
  builtAt: string;
  fittedAt: string;
  updatedAt: string;
};

export const annFiles = (dataDir: string) => {
  const dir = path.join(dataDir, 'ann');
  return {
    dir,
    index: path.join(dir, 'clip.cells'),
    meta: path.join(dir, 'clip.json'),
    keys: path.join(dir, 'clip.keys.json'),
    /** The running sync's progress, for a caller waiting on a build in another process (pipeline/runs/annBuild.ts). */
    progress: path.join(dir, 'clip.progress.json'),
  };
};

/** Rows a running sync has read or walked, of `total`. */
export type AnnProgress = { modelKey: string; done: number; total: number; at: string };

export function readAnnProgress(dataDir: string): AnnProgress | null {
  try {
    return JSON.parse(fs.readFileSync(annFiles(dataDir).progress, 'utf8')) as AnnProgress;
  } catch {
    return null;
  }
}

/** Progress written at most once a second (a 10M build reads 610 pages), by rename so a reader never sees half. */
function progressWriter(dataDir: string, modelKey: string, onProgress?: SyncOptions['onProgress']) {
  const file = annFiles(dataDir).progress;
  let last = 0;
  return (done: number, total: number) => {
    onProgress?.(done, total);
    if (Date.now() - last < 1000) return;
    last = Date.now();
    try {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const p: AnnProgress = { modelKey, done, total, at: new Date().toISOString() };
      fs.writeFileSync(`${file}.tmp`, JSON.stringify(p));
      fs.renameSync(`${file}.tmp`, file);
    } catch {
      // Progress is a courtesy: a full disk fails the save that follows, with its own error.
    }
  };
}

export function readAnnMeta(dataDir: string): AnnMeta | null {
  try {
    return JSON.parse(fs.readFileSync(annFiles(dataDir).meta, 'utf8')) as AnnMeta;
  } catch {
    return null;
  }
}

function compatible(
  meta: AnnMeta | null,
  modelKey: string,
  database: string,
  projection: ProjectionSettings,
): meta is AnnMeta {
  const projectionOk = meta?.projection
    ? meta.indexDims === projection.dims
    : // Unprojected: the collection was too small to fit one, or the embeddings are no wider than the projection.
      !!meta && (meta.dims <= projection.dims || meta.size < projection.rebuildAt);
  return meta?.format === 3 && projectionOk && meta.database === database && meta.modelKey === modelKey;
}

/** Writes the index then its meta, each by rename: a reader or a restart sees the previous pair or the new one. */
/** `index` null: only the meta changed (its `covers`), and the saved file stays as it is. */
function persist(index: CellIndex | null, keys: AnnKeys, meta: AnnMeta, dataDir: string): void {
  const f = annFiles(dataDir);
  fs.mkdirSync(f.dir, { recursive: true });
  // The key map only grows: written first, it covers every key of whichever index file a reader sees.
  if (keys.dirty) keys.save(f.keys);
  if (index) {
    index.save(`${f.index}.tmp`);
    fs.renameSync(`${f.index}.tmp`, f.index);
  }
  fs.writeFileSync(`${f.meta}.tmp`, JSON.stringify(meta, null, 2));
  fs.renameSync(`${f.meta}.tmp`, f.meta);
}

export type AnnSync = {
  index: CellIndex;
  keys: AnnKeys;
  meta: AnnMeta;
  projection: AnnProjection | null;
  added: number;
  rebuilt: boolean;
  /** The cells were fitted again (a rebuild fits them too). */
  refitted: boolean;
  skippedIds: number;
};

export type SyncOptions = {
  signal?: AbortSignal;
  /** Rows read or filed so far, and how many there are to do. */
  onProgress?: (indexed: number, total: number) => void;
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

/** Stored float16 embeddings (rows of `from` dims) decoded into one float block. */
export function decodeBlock(vectors: readonly Uint8Array[], from: number): Float32Array {
  const block = new Float32Array(vectors.length * from);
  for (const [i, v] of vectors.entries()) decodeFloat16(v, block, i * from);
  return block;
}

/**
 * n embeddings (a float block of rows) as the index holds them: projected when it has a projection, normalized and
 * quantized to int8. Every row filed and every query goes through this; exact cosines are taken on the embeddings.
 */
export async function toIndexRows(
  projection: AnnProjection | null,
  block: Float32Array,
  n: number,
): Promise<CellRows> {
  const dims = projection?.dims ?? (n ? block.length / n : 0);
  const rows: CellRows = { n, dims, data: new Int8Array(n * dims) };
  if (n) quantizeRows(projection ? await project(projection, block, n) : block, n, rows, 0);
  return rows;
}

/** The cells fitted on every row of an index and each row's nearest CELL_PROBES under them. */
async function fit(
  rows: CellRows,
  signal?: AbortSignal,
): Promise<{ centroids: Float32Array; near: Int32Array }> {
  const centroids = await fitCells(rows, cellCount(rows.n), signal);
  const near = await nearestCells(rows, centroids, centroids.length / rows.dims, CELL_PROBES, signal);
  return { centroids, near };
}

/**
 * A new index of every stored embedding of the model: read once in pages (the projection fitted on the first), held as
 * int8 rows, the cells fitted on them and each row filed under its nearest. Null when there is none.
 */
async function buildIndex(
  modelKey: string,
  dataDir: string,
  keys: AnnKeys,
  settings: ProjectionSettings,
  opts: SyncOptions,
): Promise<{
  index: CellIndex;
  projection: AnnProjection | null;
  file: string | null;
  dims: number;
  skippedIds: number;
} | null> {
  const expected = await countEmbeddings(modelKey);
  let projection: AnnProjection | null = null;
  let file: string | null = null;
  let dims = 0;
  let skippedIds = 0;
  let rows: CellRows | null = null;
  let rowKeys = new BigUint64Array(0);
  for (let after: string | null = null; ; ) {
    opts.signal?.throwIfAborted();
    const page = await listEmbeddingBlock(modelKey, after, ANN_ADD_PAGE);
    if (page.ids.length === 0) break;
    after = page.ids[page.ids.length - 1];
    dims ||= page.vectors[0].length / 2;
    // Keys (a hashed id may collide: that photo stays out) and one length: a model re-exported under its old name with
    // another dimension leaves rows of two lengths only while it re-embeds, and those of the first stay out.
    const kept: number[] = [];
    const pageKeys: bigint[] = [];
    for (const [i, id] of page.ids.entries()) {
      const key = keys.keyOf(id);
      if (key === null) skippedIds++;
      else if (page.vectors[i].length === 2 * dims) {
        kept.push(i);
        pageKeys.push(key);
      }
    }
    const block = decodeBlock(
      kept.map((i) => page.vectors[i]),
      dims,
    );
    if (!rows) {
      ({ projection, file } = await newProjection(block, kept.length, dims, settings, dataDir));
      const capacity = Math.max(expected, kept.length) + ANN_ADD_PAGE;
      const d = projection?.dims ?? dims;
      rows = { n: 0, dims: d, data: new Int8Array(capacity * d) };
      rowKeys = new BigUint64Array(capacity);
    }
    if (rows.n + kept.length > rowKeys.length) {
      // More embeddings than counted (the clip stage is writing meanwhile).
      const capacity = Math.ceil((rows.n + kept.length) * 1.25);
      const data: Int8Array = new Int8Array(capacity * rows.dims);
      data.set(rows.data.subarray(0, rows.n * rows.dims));
      rows = { n: rows.n, dims: rows.dims, data };
      const k = new BigUint64Array(capacity);
      k.set(rowKeys.subarray(0, rows.n));
      rowKeys = k;
    }
    const page8 = await toIndexRows(projection, block, kept.length);
    rows.data.set(page8.data, rows.n * rows.dims);
    rowKeys.set(pageKeys, rows.n);
    rows.n += kept.length;
    opts.onProgress?.(rows.n, Math.max(expected, rows.n));
    // Projection and quantization block the thread for a moment per page: let timers and I/O (heartbeats, cancels) through.
    await new Promise((r) => setImmediate(r));
  }
  if (!rows || rows.n === 0) return null;
  const { centroids, near } = await fit(rows, opts.signal);
  const home = new Int32Array(rowKeys.length);
  for (let r = 0; r < rows.n; r++) home[r] = near[r * CELL_PROBES];
  const index = CellIndex.of(centroids, rows, rowKeys, home);
  index.assigned = { near, probes: CELL_PROBES };
  return { index, projection, file, dims, skippedIds };
}

/**
 * Brings the index up to date with the stored embeddings of `modelKey`: loads it, files every embedded photo it lacks
 * under its nearest cell and drops the vectors that are no longer current, fitting the cells again once the index has
 * doubled since their fit; builds it from scratch on a first sync, after a model change or when the saved file is
 * unusable. One writer at a time (a PostgreSQL advisory lock); returns the index in memory for the caller's pass.
 */
export async function syncAnnIndex(
  modelKey: string,
  dataDir: string,
  opts: SyncOptions = {},
): Promise<AnnSync> {
  const settings = opts.projection ?? PROJECTION;
  return withEmbeddingIndexLock(async () => {
    try {
      return await sync(modelKey, dataDir, settings, {
        ...opts,
        onProgress: progressWriter(dataDir, modelKey, opts.onProgress),
      });
    } finally {
      fs.rmSync(annFiles(dataDir).progress, { force: true });
    }
  });
}

async function sync(
  modelKey: string,
  dataDir: string,
  settings: ProjectionSettings,
  opts: SyncOptions,
): Promise<AnnSync> {
  const f = annFiles(dataDir);
  const covers = (await embeddingsVisibleBefore()).toISOString();
  const previous = readAnnMeta(dataDir);
  const database = await databaseIdentity();
  const now = () => new Date().toISOString();
  let index: CellIndex | null = null;
  let meta: AnnMeta | null = null;
  let projection: AnnProjection | null = null;
  let keys = new AnnKeys();
  if (compatible(previous, modelKey, database, settings) && fs.existsSync(f.index)) {
    try {
      index = CellIndex.load(f.index);
      projection = loadAnnProjection(dataDir, previous);
      keys = AnnKeys.load(f.keys);
      meta = previous;
    } catch (e) {
      // A damaged or truncated file (a disk filled mid-save by another tool): built again from the database.
      console.warn(`ANN index under ${f.dir} unreadable, rebuilding: ${(e as Error).message}`);
      index = null;
      keys = new AnnKeys();
    }
  }
  if (!index && previous) dropAnnIndex(dataDir);

  // Photos re-embedded or deleted since the last sync: their old vectors leave the index here, and the walk below
  // adds each current one back (it is missing now). The rows go once an index without them is saved.
  const applied: bigint[] = [];
  const gone: bigint[] = [];
  for (let after = 0n; ; ) {
    const rows = await listAnnStale(after, ANN_ADD_PAGE);
    if (rows.length === 0) break;
    after = rows[rows.length - 1].id;
    for (const r of rows) {
      applied.push(r.id);
      const key = r.model === modelKey ? keys.keyOf(r.photoId) : null;
      if (key !== null) gone.push(key);
    }
  }
  const removed = index && gone.length ? index.remove(gone) : 0;

  let added = 0;
  let skippedIds = 0;
  let rebuilt = false;
  let refitted = false;
  if (index && meta) {
    const total = await countEmbeddings(modelKey);
    let walked = 0;
    for (let after: string | null = null; ; ) {
      opts.signal?.throwIfAborted();
      const ids = await listEmbeddedIds(modelKey, after, ANN_ADD_PAGE);
      if (ids.length === 0) break;
      after = ids[ids.length - 1];
      walked += ids.length;
      const keyed = ids.flatMap((id) => {
        const key = keys.keyOf(id);
        if (key === null) skippedIds++;
        return key === null ? [] : [{ id, key }];
      });
      const present = index.contains(keyed.map((k) => k.key));
      const missing = keyed.filter((_, i) => !present[i]);
      const vectors = missing.length
        ? await getEmbeddingVectors(
            missing.map((m) => m.id),
            modelKey,
          )
        : new Map<string, Uint8Array>();
      const found = missing.filter((m) => vectors.has(m.id));
      if (found.some((m) => vectors.get(m.id)!.length !== 2 * meta!.dims)) {
        // Same model name, other dimension (a re-exported model under an old name): nothing in the index is usable.
        dropAnnIndex(dataDir);
        index = null;
        meta = null;
        keys = new AnnKeys();
        break;
      }
      if (found.length) {
        const rows = await toIndexRows(
          projection,
          decodeBlock(
            found.map((m) => vectors.get(m.id)!),
            meta.dims,
          ),
          found.length,
        );
        const home = await nearestCells(rows, index.centroids, index.cells, 1, opts.signal);
        index.add(
          BigUint64Array.from(found, (m) => m.key),
          rows,
          home,
        );
        added += found.length;
      }
      opts.onProgress?.(walked, Math.max(total, walked));
      await new Promise((r) => setImmediate(r));
    }
    const unprojected = meta && !meta.projection && meta.dims > settings.dims;
    if (index && meta && unprojected && index.size() >= settings.rebuildAt) {
      // Large enough now to fit a projection: built again with one (the pair pass keeps what it found: builtAt stays).
      const builtAt = meta.builtAt;
      dropAnnIndex(dataDir);
      index = null;
      meta = { ...meta, builtAt };
    } else if (index && meta && index.size() >= REFIT_GROWTH * Math.max(2, meta.fittedSize)) {
      const { rows } = index.compact();
      const fitted = await fit(rows, opts.signal);
      index.refile(fitted.centroids, fitted.near, CELL_PROBES);
      refitted = true;
      meta = { ...meta, cells: index.cells, fittedSize: rows.n, fittedAt: now() };
    }
  }

  if (!index || !meta?.cells) {
    const keepBuiltAt = meta?.builtAt;
    const built = await buildIndex(modelKey, dataDir, keys, settings, opts);
    if (!built) {
      // No embeddings of this model: an index of another model would only mislead readers.
      if (previous && previous.modelKey !== modelKey) dropAnnIndex(dataDir);
      throw new NoEmbeddingsError(modelKey);
    }
    index = built.index;
    projection = built.projection;
    skippedIds = built.skippedIds;
    added = index.size();
    rebuilt = !keepBuiltAt;
    refitted = true;
    const at = now();
    meta = {
      format: 3,
      modelKey,
      database,
      dims: built.dims,
      indexDims: projection?.dims ?? built.dims,
      projection: built.file,
      cells: index.cells,
      fittedSize: index.size(),
      size: index.size(),
      covers,
      builtAt: keepBuiltAt ?? at,
      fittedAt: at,
      updatedAt: at,
    };
  }
  if (added > 0 || refitted || removed > 0) {
    meta = { ...meta, size: index.size(), covers, updatedAt: now() };
    persist(index, keys, meta, dataDir);
  } else if (meta.covers !== covers) {
    // Nothing to rewrite (2.5 GB at 10M): the same rows cover up to this sync's start. updatedAt stays, so readers
    // keep their view of the unchanged file (a cached view's older `covers` only makes a pass mark fewer photos).
    meta = { ...meta, covers };
    persist(null, keys, meta, dataDir);
  }
  // Rows of other models too: this directory's one index is of `modelKey` (another model's is built from scratch).
  await clearAnnStale(applied);
  return { index, keys, meta, projection, added, rebuilt, refitted, skippedIds };
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
      if (/^clip\.(pca-\d+\.f32(\.tmp)?|usearch(\.tmp)?|cells\.tmp)$/.test(name))
        fs.rmSync(path.join(f.dir, name), { force: true });
}
