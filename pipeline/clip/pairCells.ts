// The all-neighbours pass by partition (IVF): every photo's projected vector in a cell of a k-means quantizer, then
// block matrix products inside each cell, so the first pass over millions of photos costs a few products per photo
// instead of an HNSW search each.
import * as ort from 'onnxruntime-node';
import { GraphBuilder } from './onnxBuild.ts';

/**
 * Cells each photo is compared in: its own (the nearest centroid) and the next CELL_PROBES − 1 nearest, where it meets
 * the members of those cells. Two near-copies (cosine ≥ 0.92) sit close, so when they fall on two sides of a boundary
 * each is almost always among the other's nearest cells. Measured on the ann bench (pipeline/clip/README.md).
 */
export const CELL_PROBES = 3;
/** Scale of the stored int8 rows: a unit row's components times 127, so a dot product is 127² × the cosine. */
const I8 = 127;
/** Rows per product (a tile's output is TILE² floats inside onnxruntime: 64 MB). */
const TILE = 4096;
/** Rows of the sample the centroids are fitted on, per cell (and at least this many rows in all, when there are). */
const SAMPLE_PER_CELL = 32;
const KMEANS_ROUNDS = 8;

/**
 * Projected vectors of the photos, one int8 row of `dims` each (unit rows × 127): 256 bytes per photo at 256 dims,
 * 2.6 GB at 10M, against 10 GB for the stored float16 512-d embeddings. Candidates are re-scored on those anyway.
 */
export type CellRows = { n: number; dims: number; data: Int8Array };

/** Rows of float32 into `out` from row `at`, each normalized (the projection shortens them unevenly) and scaled. */
export function quantizeRows(rows: Float32Array, n: number, out: CellRows, at: number): void {
  const d = out.dims;
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let k = 0; k < d; k++) s += rows[i * d + k] ** 2;
    const scale = s > 0 ? I8 / Math.sqrt(s) : 0;
    const o = (at + i) * d;
    for (let k = 0; k < d; k++) out.data[o + k] = Math.round(rows[i * d + k] * scale);
  }
}

/**
 * How many cells for n photos: the pass costs n·K products to assign and ~n·(n/K)·(probes − ½) inside the cells,
 * least at K = √(n·(probes − ½)) (1,581 cells of ~630 photos at 1M; 5,000 of ~2,000 at 10M).
 */
export function cellCount(n: number, probes = CELL_PROBES): number {
  return Math.max(1, Math.min(n, Math.round(Math.sqrt(n * (probes - 0.5)))));
}

type Sessions = { top: ort.InferenceSession; pairs: ort.InferenceSession };
let sessions: Promise<Sessions> | null = null;

/** Two small graphs: the nearest centroids of rows (TopK of a product) and the pairs of two int8 blocks over a floor. */
function cellSessions(): Promise<Sessions> {
  if (!sessions) {
    const top = new GraphBuilder();
    const rows = top.input('rows', 'float', ['m', 'd']);
    const centroids = top.input('centroids', 'float', ['k', 'd']);
    const k = top.input('k', 'int64', [1]);
    const sims = top.op('Gemm', [rows, centroids], { transB: 1 });
    top.opOutputs('TopK', [sims, k], ['values', 'cells']);
    top.output('cells', ['m', 'p'], 'int64');

    const pairs = new GraphBuilder();
    const a = pairs.input('a', 'int8', ['m', 'd']);
    const b = pairs.input('b', 'int8', ['n', 'd']);
    const floor = pairs.input('floor', 'float', [1]);
    const products = pairs.op('Gemm', [pairs.op('Cast', [a], { to: 1 }), pairs.op('Cast', [b], { to: 1 })], {
      transB: 1,
    });
    pairs.op('NonZero', [pairs.op('Greater', [products, floor])], {}, 'hits');
    pairs.output('hits', [2, 'h'], 'int64');
    const options = { graphOptimizationLevel: 'all' } as const;
    sessions = Promise.all([
      ort.InferenceSession.create(top.build('quarry_cells_top'), options),
      ort.InferenceSession.create(pairs.build('quarry_cells_pairs'), options),
    ]).then(([t, p]) => ({ top: t, pairs: p }));
  }
  return sessions;
}

function toFloat(rows: CellRows, start: number, end: number): Float32Array {
  const out = new Float32Array((end - start) * rows.dims);
  const src = rows.data.subarray(start * rows.dims, end * rows.dims);
  for (let i = 0; i < src.length; i++) out[i] = src[i];
  return out;
}

/** Each row's `probes` nearest centroids, nearest first (n × probes). */
export async function nearestCells(
  rows: CellRows,
  centroids: Float32Array,
  cells: number,
  probes: number,
  signal?: AbortSignal,
): Promise<Int32Array> {
  const { top } = await cellSessions();
  const p = Math.min(probes, cells);
  const out = new Int32Array(rows.n * p);
  const c = new ort.Tensor('float32', centroids, [cells, rows.dims]);
  const k = new ort.Tensor('int64', BigInt64Array.of(BigInt(p)), [1]);
  for (let start = 0; start < rows.n; start += TILE) {
    signal?.throwIfAborted();
    const end = Math.min(rows.n, start + TILE);
    const r = await top.run({
      rows: new ort.Tensor('float32', toFloat(rows, start, end), [end - start, rows.dims]),
      centroids: c,
      k,
    });
    const idx = r.cells.data as BigInt64Array;
    for (let i = 0; i < idx.length; i++) out[start * p + i] = Number(idx[i]);
  }
  return out;
}

/**
 * Spherical k-means on an evenly spaced sample of the rows (deterministic: the same rows give the same centroids, which
 * a resumed pass nevertheless reads back from the database rather than refits). Unit centroids, cells × dims.
 */
export async function fitCells(rows: CellRows, cells: number, signal?: AbortSignal): Promise<Float32Array> {
  const d = rows.dims;
  const m = Math.min(rows.n, Math.max(cells * SAMPLE_PER_CELL, 65_536));
  const sample: CellRows = { n: m, dims: d, data: new Int8Array(m * d) };
  for (let i = 0; i < m; i++) {
    const r = Math.floor((i * rows.n) / m);
    sample.data.set(rows.data.subarray(r * d, (r + 1) * d), i * d);
  }
  const centroids = new Float32Array(cells * d);
  for (let c = 0; c < cells; c++) {
    const r = Math.floor((c * m) / cells);
    for (let k = 0; k < d; k++) centroids[c * d + k] = sample.data[r * d + k] / I8;
  }
  for (let round = 0; round < KMEANS_ROUNDS; round++) {
    const home = await nearestCells(sample, centroids, cells, 1, signal);
    const sums = new Float64Array(cells * d);
    const sizes = new Int32Array(cells);
    for (let i = 0; i < m; i++) {
      const c = home[i];
      sizes[c]++;
      for (let k = 0; k < d; k++) sums[c * d + k] += sample.data[i * d + k];
    }
    for (let c = 0; c < cells; c++) {
      // An empty cell takes a sample row again (another one each round), so no centroid is wasted.
      if (sizes[c] === 0) {
        const r = (c * 7919 + round * 104_729) % m;
        for (let k = 0; k < d; k++) sums[c * d + k] = sample.data[r * d + k];
      }
      let s = 0;
      for (let k = 0; k < d; k++) s += sums[c * d + k] ** 2;
      const scale = s > 0 ? 1 / Math.sqrt(s) : 0;
      for (let k = 0; k < d; k++) centroids[c * d + k] = sums[c * d + k] * scale;
    }
  }
  return splitCrowdedCells(sample, centroids, cells, signal);
}

/**
 * A cell holding more than CROWDED × its share of the sample is cut into parts of about one share each. A dense
 * region (a topic, a photographer's series of one scene) stays in one cell under k-means whatever K is: the centroid
 * of many of its photos sits nearer to each of them than the centroid of a few, so it takes them all. The products
 * inside a cell are quadratic in its size, so on the ann bench's topics (the largest 2 % of the photos at 1M) the
 * cells cost ~4× an even split's (pipeline/clip/README.md).
 */
const CROWDED = 2;

async function splitCrowdedCells(
  sample: CellRows,
  centroids: Float32Array,
  cells: number,
  signal?: AbortSignal,
): Promise<Float32Array> {
  const d = sample.dims;
  const home = await nearestCells(sample, centroids, cells, 1, signal);
  const share = sample.n / cells;
  const members: number[][] = Array.from({ length: cells }, () => []);
  for (let i = 0; i < sample.n; i++) members[home[i]].push(i);
  const added: Float32Array[] = [];
  for (let c = 0; c < cells; c++) {
    if (members[c].length <= CROWDED * share) continue;
    const parts = bisect(sample, members[c], share);
    centroids.set(meanDirection(sample, parts[0]), c * d);
    for (const part of parts.slice(1)) added.push(meanDirection(sample, part));
  }
  if (added.length === 0) return centroids;
  const out = new Float32Array(centroids.length + added.length * d);
  out.set(centroids);
  for (const [i, c] of added.entries()) out.set(c, centroids.length + i * d);
  return out;
}

/**
 * Halves of a crowded cell at the median of its rows' projections on their principal direction, halved again until
 * each part holds at most 1.5 shares: a median cut keeps the parts even where k-means would let one centroid take them all.
 */
function bisect(sample: CellRows, rows: number[], share: number): number[][] {
  if (rows.length <= 1.5 * share) return [rows];
  const d = sample.dims;
  const mean = new Float64Array(d);
  for (const r of rows) for (let k = 0; k < d; k++) mean[k] += sample.data[r * d + k];
  for (let k = 0; k < d; k++) mean[k] /= rows.length;
  // The principal direction by power iteration on the centred rows (deterministic start: the spread's own diagonal).
  let v = new Float64Array(d);
  for (const r of rows) for (let k = 0; k < d; k++) v[k] += (sample.data[r * d + k] - mean[k]) ** 2;
  for (let round = 0; round < 12; round++) {
    const w = new Float64Array(d);
    for (const r of rows) {
      let t = 0;
      for (let k = 0; k < d; k++) t += (sample.data[r * d + k] - mean[k]) * v[k];
      for (let k = 0; k < d; k++) w[k] += (sample.data[r * d + k] - mean[k]) * t;
    }
    let s = 0;
    for (let k = 0; k < d; k++) s += w[k] ** 2;
    if (s === 0) return [rows];
    const scale = 1 / Math.sqrt(s);
    for (let k = 0; k < d; k++) w[k] *= scale;
    v = w;
  }
  const along = new Map<number, number>();
  for (const r of rows) {
    let t = 0;
    for (let k = 0; k < d; k++) t += sample.data[r * d + k] * v[k];
    along.set(r, t);
  }
  const sorted = [...rows].sort((x, y) => (along.get(x) as number) - (along.get(y) as number));
  const half = sorted.length >> 1;
  return [...bisect(sample, sorted.slice(0, half), share), ...bisect(sample, sorted.slice(half), share)];
}

/** The unit mean of some sample rows: a centroid. */
function meanDirection(sample: CellRows, rows: number[]): Float32Array {
  const d = sample.dims;
  const sum = new Float64Array(d);
  for (const r of rows) for (let k = 0; k < d; k++) sum[k] += sample.data[r * d + k];
  let s = 0;
  for (let k = 0; k < d; k++) s += sum[k] ** 2;
  const scale = s > 0 ? 1 / Math.sqrt(s) : 0;
  return Float32Array.from(sum, (x) => x * scale);
}

/** What the pass over the cells found since the last batch: row pairs (a[i], b[i]) over the floor, `cellsDone` cells. */
export type CellBatch = { a: Int32Array; b: Int32Array; cellsDone: number; cells: number; rows: number };

/**
 * Candidate pairs of rows whose quantized cosine reaches `floor`: each row meets the rows whose own cell is one of
 * its `probes` nearest (its own included). Cells are taken in order from `fromCell`; after about `batchRows` compared
 * rows, `onBatch` gets the candidates of the cells finished (a pass killed between two batches resumes at the next
 * cell with the same centroids). A pair is reported once: from the cell of the row whose cell the other probes, the
 * lower such cell when both probe each other's.
 */
export async function cellPairs(
  rows: CellRows,
  centroids: Float32Array,
  floor: number,
  opts: {
    probes?: number;
    fromCell?: number;
    batchRows?: number;
    signal?: AbortSignal;
    onBatch: (b: CellBatch) => Promise<void>;
    /** Each row's `probes` nearest cells, nearest first, once assigned (the ann bench reads cells from it). */
    onAssigned?: (near: Int32Array, probes: number) => void;
    /** Each row's nearest cells already assigned (by the index's build), used when they are `probes` per row. */
    assigned?: { near: Int32Array; probes: number } | null;
  },
): Promise<void> {
  const d = rows.dims;
  const cells = centroids.length / d;
  const probes = Math.min(opts.probes ?? CELL_PROBES, cells);
  const near =
    opts.assigned?.probes === probes && opts.assigned.near.length === rows.n * probes
      ? opts.assigned.near
      : await nearestCells(rows, centroids, cells, probes, opts.signal);
  opts.onAssigned?.(near, probes);
  // Members by cell (counting sort on the nearest cell), and the rows visiting each cell (their other probes).
  const byCell = (from: number, to: number) => {
    const start = new Int32Array(cells + 1);
    for (let i = 0; i < rows.n; i++) for (let p = from; p < to; p++) start[near[i * probes + p] + 1]++;
    for (let c = 0; c < cells; c++) start[c + 1] += start[c];
    const fill = start.slice(0, cells);
    const list = new Int32Array(start[cells]);
    for (let i = 0; i < rows.n; i++) for (let p = from; p < to; p++) list[fill[near[i * probes + p]]++] = i;
    return { start, list };
  };
  const members = byCell(0, 1);
  const visitors = byCell(1, probes);
  const probesOf = (row: number, cell: number) => {
    for (let p = 1; p < probes; p++) if (near[row * probes + p] === cell) return true;
    return false;
  };
  const { pairs } = await cellSessions();
  const floorTensor = new ort.Tensor('float32', Float32Array.of(floor * I8 * I8), [1]);
  const gather = (list: Int32Array, from: number, to: number) => {
    const out = new Int8Array((to - from) * d);
    for (let i = from; i < to; i++)
      out.set(rows.data.subarray(list[i] * d, (list[i] + 1) * d), (i - from) * d);
    return out;
  };
  let a: number[] = [];
  let b: number[] = [];
  let compared = 0;
  for (let c = opts.fromCell ?? 0; c < cells; c++) {
    opts.signal?.throwIfAborted();
    const home = members.list.subarray(members.start[c], members.start[c + 1]);
    const guests = visitors.list.subarray(visitors.start[c], visitors.start[c + 1]);
    const h = home.length;
    const queries = h + guests.length;
    for (let qs = 0; h > 0 && qs < queries; qs += TILE) {
      const qe = Math.min(queries, qs + TILE);
      const left = new Int8Array((qe - qs) * d);
      for (let i = qs; i < qe; i++) {
        const row = i < h ? home[i] : guests[i - h];
        left.set(rows.data.subarray(row * d, (row + 1) * d), (i - qs) * d);
      }
      // Members against members: the upper triangle only (tiles left of the diagonal are skipped).
      for (let cs = qs < h ? Math.floor(qs / TILE) * TILE : 0; cs < h; cs += TILE) {
        const ce = Math.min(h, cs + TILE);
        const r = await pairs.run({
          a: new ort.Tensor('int8', left, [qe - qs, d]),
          b: new ort.Tensor('int8', gather(home, cs, ce), [ce - cs, d]),
          floor: floorTensor,
        });
        const hits = r.hits.data as BigInt64Array;
        const count = hits.length / 2;
        for (let t = 0; t < count; t++) {
          const qi = qs + Number(hits[t]);
          const ci = cs + Number(hits[count + t]);
          const x = qi < h ? home[qi] : guests[qi - h];
          const y = home[ci];
          if (qi < h) {
            if (ci <= qi) continue;
          } else {
            const xCell = near[x * probes];
            // Both probe each other's cell: the lower cell reports it.
            if (xCell < c && probesOf(y, xCell)) continue;
          }
          a.push(x);
          b.push(y);
        }
      }
    }
    compared += queries;
    if (compared >= (opts.batchRows ?? 65_536) || c === cells - 1) {
      await opts.onBatch({
        a: Int32Array.from(a),
        b: Int32Array.from(b),
        cellsDone: c + 1,
        cells,
        rows: compared,
      });
      a = [];
      b = [];
      compared = 0;
    }
  }
}

/**
 * Cells a photo added after the pass by cells is compared in: one more than the pass's CELL_PROBES, since the pass also
 * meets two photos when only the other one's probes reach its cell, and a new photo's side alone cannot see that.
 */
export const FRESH_PROBES = CELL_PROBES + 1;

/**
 * Candidates for photos added since the pass by cells (the incremental passes): each query row (int8, as quantizeRows
 * makes them) against the members of its `probes` nearest cells of the index, by the same int8 products; pairs whose
 * quantized cosine reaches `floor`, as (query row, member key). A query row that is itself in the index finds its own
 * key too: the caller drops it.
 */
/** The part of an index of cells (cellIndex.ts's CellSource) freshCandidates reads. */
export type CellMembers = {
  readonly centroids: Float32Array;
  readonly cells: number;
  size(): number;
  cellRows(cell: number): { keys: BigUint64Array; rows: Int8Array };
};

export async function freshCandidates(
  index: CellMembers,
  queries: CellRows,
  floor: number,
  opts: { probes?: number; signal?: AbortSignal } = {},
): Promise<{ query: Int32Array; keys: BigUint64Array }> {
  const d = queries.dims;
  const cells = index.cells;
  const query: number[] = [];
  const keys: bigint[] = [];
  if (queries.n === 0 || index.size() === 0) return { query: Int32Array.of(), keys: BigUint64Array.of() };
  const probes = Math.min(opts.probes ?? FRESH_PROBES, cells);
  const near = await nearestCells(queries, index.centroids, cells, probes, opts.signal);
  const byCell = new Map<number, number[]>();
  for (let i = 0; i < queries.n; i++)
    for (let p = 0; p < probes; p++) {
      const c = near[i * probes + p];
      const list = byCell.get(c);
      if (list) list.push(i);
      else byCell.set(c, [i]);
    }
  const { pairs } = await cellSessions();
  const floorTensor = new ort.Tensor('float32', Float32Array.of(floor * I8 * I8), [1]);
  for (const [cell, asking] of byCell) {
    opts.signal?.throwIfAborted();
    const members = index.cellRows(cell);
    const m = members.keys.length;
    for (let qs = 0; m > 0 && qs < asking.length; qs += TILE) {
      const qe = Math.min(asking.length, qs + TILE);
      const left = new Int8Array((qe - qs) * d);
      for (let i = qs; i < qe; i++)
        left.set(queries.data.subarray(asking[i] * d, (asking[i] + 1) * d), (i - qs) * d);
      for (let ms = 0; ms < m; ms += TILE) {
        const me = Math.min(m, ms + TILE);
        const r = await pairs.run({
          a: new ort.Tensor('int8', left, [qe - qs, d]),
          b: new ort.Tensor('int8', members.rows.subarray(ms * d, me * d), [me - ms, d]),
          floor: floorTensor,
        });
        const hits = r.hits.data as BigInt64Array;
        const count = hits.length / 2;
        for (let t = 0; t < count; t++) {
          query.push(asking[qs + Number(hits[t])]);
          keys.push(members.keys[ms + Number(hits[count + t])]);
        }
      }
    }
  }
  return { query: Int32Array.from(query), keys: BigUint64Array.from(keys) };
}
