// Benchmark: the ANN index of CLIP embeddings (an index of cells, cellIndex.ts) at 250k and 1M (10M with --10m)
// synthetic 512-d embeddings with planted near-duplicate groups, through the pipeline's own path: build, first pass by
// cells, an incremental update, "similar photos" through the saved file; recall of each against an exact scan of
// the same run, which is also the baseline its times are compared with.
import fs from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { ANN_ADD_PAGE, ANN_DIMS, toIndexRows } from '../../pipeline/clip/annIndex.ts';
import {
  CANDIDATE_MARGIN,
  closeGroups,
  dot,
  type IndexedPair,
  pairGroups,
  SEARCH_BLOCK,
} from '../../pipeline/clip/annPairs.ts';
import { type AnnProjection, fitProjection } from '../../pipeline/clip/annProjection.ts';
import { searchSaved } from '../../pipeline/clip/annSaved.ts';
import {
  CellIndex,
  CellIndexView,
  nearestCentroids,
  QUERY_SCAN_ROWS,
  queryProbes,
} from '../../pipeline/clip/cellIndex.ts';
import { decodeFloat16, toHalfBits } from '../../pipeline/clip/float16.ts';
import { multiplyTransposed } from '../../pipeline/clip/matmul.ts';
import {
  CELL_PROBES,
  type CellRows,
  cellCount,
  cellPairs,
  FRESH_PROBES,
  fitCells,
  freshCandidates,
  nearestCells,
} from '../../pipeline/clip/pairCells.ts';
import { UsageError } from '../../pipeline/cli/flags.ts';
import { parseArgs } from '../../pipeline/cli/withDatabase.ts';
import { intFlag, intListFlag, numberFlag } from './lib/benchFlags.ts';

/** `npm run bench -- ann --help` prints these; any other flag is refused (test/bench/index.ts). */
export const usage =
  'the ANN index of cells (build, first pass, incremental update, similar photos) against exact search in the same run';
export const flags: Record<string, string> = {
  sizes: 'comma-separated embedding counts (250000,1000000); none with --figures to extrapolate only',
  '10m': 'adds 10,000,000 (~10 GB of disk for the vectors, ~7 GB of memory)',
  floor:
    'the candidate floor (int8 cosine) of the passes, for sweeps (the pipeline’s: threshold 0.95 − margin 0.03)',
  probes:
    'cells each photo is compared in by the first pass (its own and the next nearest), for sweeps (the pipeline’s)',
  dims: 'dimensions the index holds (a projection on the principal directions of the first page; 512 = none), for sweeps (the pipeline’s)',
  'scan-rows': 'rows a "similar photos" query scans in its nearest cells, for sweeps (the pipeline’s)',
  sample: 'N photos for the first pass’s recall (2000; half as many new photos for the update’s)',
  dir: 'folder for the vectors and the index file (the OS temp dir; deleted after each size)',
  figures:
    'a file each measured size is appended to (JSON lines) and read back, to extrapolate from sizes of several runs',
};

const DIM = 512;
const THRESHOLD = 0.95;
/** Vectors per block of the exact scan: its products are (queries × SCAN_CHUNK) floats, ~0.1 GB for 3,200 queries. */
const SCAN_CHUNK = 8192;
/** Photos added after the first pass, as a share of the size: the incremental update measured. */
const ADDED_SHARE = 0.01;
/** Every this many added photos, one is a near-copy of a photo already indexed (the rest as any new photo). */
const COPY_EVERY = 5;
/** Queries whose "similar photos" top 12 is checked against an exact scan, of the LATENCY_QUERIES timed. */
const SIMILAR_SAMPLE = 200;
const LATENCY_QUERIES = 1000;
/** Candidates a "similar photos" query re-ranks exactly, as similarPhotos.ts asks for k = 12: max(8k, 128). */
const SIMILAR_K = 12;
const SIMILAR_CANDIDATES = Math.max(8 * SIMILAR_K, 128);
const TARGETS: Record<number, { seconds: number; bytes?: number; p95?: number }> = {
  1000000: { seconds: 600, p95: 50 },
  10000000: { seconds: 7200, bytes: 12 * 2 ** 30 },
};

/** splitmix32: a seedable generator per vector, so any vector can be regenerated alone (no 20 GB array at 10M). */
function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return ((z ^ (z >>> 16)) >>> 0) / 4294967296;
  };
}

function fillGaussian(next: () => number, out: Float32Array, offset: number, n: number, scale: number): void {
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(next() || 1e-12)) * scale;
    const t = 2 * Math.PI * next();
    out[offset + i] += r * Math.cos(t);
    if (i + 1 < n) out[offset + i + 1] += r * Math.sin(t);
  }
}

function normalize(v: Float32Array, offset: number): void {
  let s = 0;
  for (let i = 0; i < DIM; i++) s += v[offset + i] ** 2;
  const k = 1 / Math.sqrt(s);
  for (let i = 0; i < DIM; i++) v[offset + i] *= k;
}

/**
 * A synthetic photo collection shaped like CLIP embeddings: a shared mean direction (random photos sit at cosine
 * ~0.3–0.5, as CLIP's do), topics of Zipf-like sizes with their own spread (members at cosine ~0.6–0.85), and in
 * every block of 1,000 photos planted groups of near-copies (re-encodes, crops: cosine ~0.94–0.99 to their original).
 */
export class Universe {
  readonly topics: Float32Array;
  readonly topicCount: number;
  constructor(readonly size: number) {
    this.topicCount = Math.max(200, Math.floor(size / 500));
    this.topics = new Float32Array(this.topicCount * DIM);
    const mean = new Float32Array(DIM);
    fillGaussian(rng(1), mean, 0, DIM, 1);
    normalize(mean, 0);
    const next = rng(2);
    for (let t = 0; t < this.topicCount; t++) {
      fillGaussian(next, this.topics, t * DIM, DIM, 1);
      normalize(this.topics, t * DIM);
      for (let d = 0; d < DIM; d++)
        this.topics[t * DIM + d] = 0.75 * this.topics[t * DIM + d] + 0.6 * mean[d];
      normalize(this.topics, t * DIM);
    }
  }

  /** The original a planted copy was made from, or -1: per block of 1,000, groups of 2–13 and a few pairs. */
  static original(i: number): number {
    const block = i - (i % 1000);
    const r = i % 1000;
    const big = 1 + ((block / 1000) % 12);
    if (r >= 990 - big && r < 990) return block;
    if (r >= 990) return block + 10 + (r - 990);
    return -1;
  }

  /**
   * What photo i is a near-copy of, or -1. Photos from `size` on are added after the first pass: every COPY_EVERY-th a
   * near-copy of a photo already indexed (half of them of a planted group's member, so the group grows), the rest made
   * as any photo (with their own planted groups).
   */
  copyOf(i: number): number {
    if (i < this.size || (i - this.size) % COPY_EVERY !== 0) return Universe.original(i);
    const next = rng(i * 7919 + 3);
    const block = Math.floor(next() * Math.floor(this.size / 1000)) * 1000;
    return next() < 0.5 && block + 1000 <= this.size
      ? block + 985 + Math.floor(next() * 15)
      : Math.floor(next() * this.size);
  }

  vector(i: number, out: Float32Array, offset: number): void {
    out.fill(0, offset, offset + DIM);
    const orig = this.copyOf(i);
    const next = rng(i * 2654435761 + 17);
    if (orig >= 0) {
      this.vector(orig, out, offset);
      fillGaussian(next, out, offset, DIM, 0.004 + 0.01 * next());
    } else {
      const topic = Math.floor(this.topicCount * next() ** 2);
      const spread = 0.025 + 0.02 * ((topic * 0.618) % 1);
      out.set(this.topics.subarray(topic * DIM, (topic + 1) * DIM), offset);
      fillGaussian(next, out, offset, DIM, spread);
    }
    normalize(out, offset);
  }

  chunk(start: number, end: number): Float32Array {
    const out = new Float32Array((end - start) * DIM);
    for (let i = start; i < end; i++) this.vector(i, out, (i - start) * DIM);
    return out;
  }
}

const seconds = (t0: number) => (performance.now() - t0) / 1000;
const gb = (kb: number) => `${(kb / 2 ** 20).toFixed(2)} GB`;
const int = (n: number) => n.toLocaleString('en-US');
const cpuSeconds = (c: NodeJS.CpuUsage) => (c.user + c.system) / 1e6;
const cpuNow = () => cpuSeconds(process.cpuUsage());
const peakKb = () => process.resourceUsage().maxRSS;
const pairId = (a: number, b: number) => (a < b ? `${a}:${b}` : `${b}:${a}`);
const percentile = (sorted: number[], p: number) => sorted[Math.floor(sorted.length * p)] ?? Number.NaN;
const met = (ok: boolean) => (ok ? 'MET' : 'MISSED');

/** The bench's parameters: the pipeline's by default. */
type BenchParams = { dims: number; probes: number; floor: number; scanRows: number };

/** One size's measured figures, kept (--figures) for the extrapolation to larger sizes. */
export type SizeFigures = {
  size: number;
  /** Wall seconds: the build (projection, int8 rows, cells fitted and assigned, saved) and the first pass by cells. */
  build: number;
  allNeighbours: number;
  total: number;
  buildCpu: number;
  searchCpu: number;
  /** Peak RSS (KB) at the end of the first pass. */
  peakKb: number;
  diskBytes: number;
  recall: number;
  similarRecall?: number;
  similarP95?: number;
  /** The incremental update of ADDED_SHARE new photos: wall seconds and the recall of their pairs. */
  update?: number;
  updateRecall?: number;
};

/**
 * The generated vectors, written once as they are generated and read back for the passes and the exact scan:
 * generating them costs about as much as comparing them, so regenerating them inside a timed step would bill generation
 * as search (the pipeline reads them from the database instead, which is not measured either). Kept as float16, as the
 * pipeline stores embeddings (1 KB each: 10 GB at 10M, where float32 would take 20 GB), and every step is given the
 * same rounded vectors every later read returns.
 */
class Vectors {
  private readonly fd: number;
  constructor(
    private readonly u: Universe,
    count: number,
    private readonly file: string,
    indexBytes: number,
  ) {
    const free = fs.statfsSync(path.dirname(file));
    const need = count * DIM * 2 + indexBytes;
    if (free.bavail * free.bsize < need + 2 * 2 ** 30)
      throw new UsageError(
        `${path.dirname(file)}: ${int(count)} vectors and their index need ${(need / 2 ** 30).toFixed(1)} GB of disk; choose another --dir`,
      );
    this.fd = fs.openSync(file, 'w+');
  }
  /** Generates, stores as float16, and returns the stored (rounded) values. */
  generate(start: number, end: number): Float32Array {
    const block = this.u.chunk(start, end);
    const half = new Uint16Array(block.length);
    for (let i = 0; i < block.length; i++) half[i] = toHalfBits(block[i]);
    fs.writeSync(this.fd, half, 0, half.byteLength, start * DIM * 2);
    return decodeFloat16(new Uint8Array(half.buffer));
  }
  read(start: number, end: number): Float32Array {
    const bytes = new Uint8Array((end - start) * DIM * 2);
    fs.readSync(this.fd, bytes, 0, bytes.byteLength, start * DIM * 2);
    return decodeFloat16(bytes);
  }
  private readonly oneBytes = new Uint8Array(DIM * 2);
  one(i: number, out = new Float32Array(DIM)): Float32Array {
    fs.readSync(this.fd, this.oneBytes, 0, this.oneBytes.byteLength, i * DIM * 2);
    return decodeFloat16(this.oneBytes, out);
  }
  /** Vectors by id, each read once (what the pipeline's getEmbeddingVectors does for a batch of candidates). */
  many(ids: Iterable<number>): Map<number, Float32Array> {
    const out = new Map<number, Float32Array>();
    for (const id of ids) if (!out.has(id)) out.set(id, this.one(id));
    return out;
  }
  close(): void {
    fs.closeSync(this.fd);
    fs.rmSync(this.file, { force: true });
  }
}

/**
 * The pairs found, as the pipeline stores them (clip pairs by photo id), and the clusters they join (union-find, as
 * the duplicate check merges them: a pair missed inside a group still lands in its cluster).
 */
class Found {
  readonly ids = new Set<string>();
  readonly list: IndexedPair[] = [];
  readonly parent: Int32Array;
  constructor(count: number) {
    this.parent = Int32Array.from({ length: count }, (_, i) => i);
  }
  find(x: number): number {
    const p = this.parent;
    while (p[x] !== x) x = p[x] = p[p[x]];
    return x;
  }
  add(a: number, b: number, similarity: number): void {
    const id = pairId(a, b);
    if (this.ids.has(id)) return;
    this.ids.add(id);
    const [x, y] = a < b ? [a, b] : [b, a];
    this.list.push({ a: String(x), b: String(y), similarity });
    this.parent[this.find(a)] = this.find(b);
  }
  /** The clusters as they stand (the first pass's, before the update joins more). */
  snapshot(): (x: number) => number {
    const parent = this.parent.slice();
    return (x) => {
      while (parent[x] !== x) x = parent[x] = parent[parent[x]];
      return x;
    };
  }
}

/** Candidate pairs (row numbers = photo numbers) scored exactly on the stored vectors; kept at ≥ THRESHOLD. */
function verify(vectors: Vectors, a: ArrayLike<number>, b: ArrayLike<number>, found: Found): void {
  const ids = new Set<number>();
  for (let i = 0; i < a.length; i++) ids.add(a[i]).add(b[i]);
  const v = vectors.many(ids);
  for (let i = 0; i < a.length; i++) {
    const s = dot(v.get(a[i])!, v.get(b[i])!);
    if (s >= THRESHOLD) found.add(a[i], b[i], s);
  }
}

/** The pipeline's group completion (closeOpenGroups): groups of the given pairs, inner pairs scored exactly. */
async function completeGroups(vectors: Vectors, pairs: IndexedPair[], found: Found): Promise<number> {
  const before = found.list.length;
  const closed = await closeGroups(pairs, THRESHOLD, async (ids) => {
    const v = vectors.many(ids.map(Number));
    return new Map(ids.map((id) => [id, v.get(Number(id))!]));
  });
  for (const p of closed.slice(pairs.length)) found.add(Number(p.a), Number(p.b), p.similarity);
  return found.list.length - before;
}

type Built = {
  index: CellIndex;
  projection: AnnProjection | null;
  seconds: number;
  cpu: number;
  /** Wall seconds of the steps: read and project to int8 rows, fit cells, assign every row, save. */
  steps: { rows: number; fit: number; assign: number; save: number };
  diskBytes: number;
};

/**
 * The pipeline's build (annIndex.ts's buildIndex): the embeddings read in pages of ANN_ADD_PAGE, the projection fitted
 * on the first, every page projected and quantized to int8 rows (toIndexRows), the cells fitted (fitCells,
 * cellCount(n) of them), every row's nearest `probes` cells assigned (kept for the first pass), the index saved.
 * Generating the vectors is left out of its time.
 */
async function build(size: number, vectors: Vectors, params: BenchParams, file: string): Promise<Built> {
  let genSeconds = 0;
  let genCpu = 0;
  const t = performance.now();
  const c = cpuNow();
  let projection: AnnProjection | null = null;
  let rows: CellRows | null = null;
  // As buildIndex: room for one more page, which a later sync fills without copying the rows.
  const capacity = size + ANN_ADD_PAGE;
  for (let start = 0; start < size; start += ANN_ADD_PAGE) {
    const end = Math.min(size, start + ANN_ADD_PAGE);
    const g = performance.now();
    const gc = cpuNow();
    const block = vectors.generate(start, end);
    genSeconds += seconds(g);
    genCpu += cpuNow() - gc;
    if (!rows) {
      if (params.dims < DIM) projection = await fitProjection(block, end - start, DIM, params.dims);
      rows = { n: 0, dims: params.dims, data: new Int8Array(capacity * params.dims) };
    }
    rows.data.set((await toIndexRows(projection, block, end - start)).data, start * rows.dims);
    rows.n = end;
    if (start % (ANN_ADD_PAGE * 8) === 0)
      process.stdout.write(`  ${int(end)}/${int(size)} read (${seconds(t).toFixed(0)} s)   \r`);
  }
  if (!rows) throw new Error('no rows');
  const steps = { rows: seconds(t) - genSeconds, fit: 0, assign: 0, save: 0 };
  let s = performance.now();
  const centroids = await fitCells(rows, cellCount(size, params.probes));
  steps.fit = seconds(s);
  s = performance.now();
  const near = await nearestCells(rows, centroids, centroids.length / rows.dims, params.probes);
  const home = new Int32Array(capacity);
  for (let r = 0; r < size; r++) home[r] = near[r * params.probes];
  // Keys are photo number + 1 (the pipeline's are hashed photo ids: AnnKeys).
  const keys = new BigUint64Array(capacity);
  for (let r = 0; r < size; r++) keys[r] = BigInt(r + 1);
  const index = CellIndex.of(centroids, rows, keys, home);
  index.assigned = { near, probes: params.probes };
  steps.assign = seconds(s);
  s = performance.now();
  index.save(file);
  steps.save = seconds(s);
  return {
    index,
    projection,
    seconds: seconds(t) - genSeconds,
    cpu: cpuNow() - c - genCpu,
    steps,
    diskBytes: fs.statSync(file).size,
  };
}

/**
 * The pipeline's first pass (pairPass.ts's passByCells, the bench's file for the database): the index's rows compared
 * inside its cells with the build's assignment (cellPairs), each batch's candidates over the floor scored exactly on the
 * stored vectors, then the groups completed.
 */
async function firstPass(
  index: CellIndex,
  vectors: Vectors,
  params: BenchParams,
  found: Found,
): Promise<{ seconds: number; cpu: number; candidates: number; cells: number; closed: number }> {
  const t = performance.now();
  const c = cpuNow();
  const { rows } = index.compact();
  let candidates = 0;
  await cellPairs(rows, index.centroids, params.floor, {
    probes: params.probes,
    assigned: index.assigned,
    onBatch: async (b) => {
      candidates += b.a.length;
      verify(vectors, b.a, b.b, found);
      process.stdout.write(`  ${int(b.cellsDone)}/${int(b.cells)} cells (${seconds(t).toFixed(0)} s)   \r`);
    },
  });
  const closed = await completeGroups(vectors, [...found.list], found);
  return { seconds: seconds(t), cpu: cpuNow() - c, candidates, cells: index.cells, closed };
}

/**
 * An incremental update, as the clip stage's next sync and pair pass run it: the new photos' rows filed under their
 * nearest cell (syncAnnIndex: nearestCells with 1 probe, index.add) and the index saved again; then each block of
 * SEARCH_BLOCK new photos compared with the members of its FRESH_PROBES nearest cells (pairsThroughCells:
 * freshCandidates), candidates scored exactly, and the groups they touch completed. Generation left out of its time.
 */
async function update(
  index: CellIndex,
  projection: AnnProjection | null,
  vectors: Vectors,
  from: number,
  to: number,
  params: BenchParams,
  file: string,
  found: Found,
): Promise<{ seconds: number; cpu: number; file: number; save: number; pass: number; candidates: number }> {
  let genSeconds = 0;
  let genCpu = 0;
  const t = performance.now();
  const c = cpuNow();
  for (let start = from; start < to; start += ANN_ADD_PAGE) {
    const end = Math.min(to, start + ANN_ADD_PAGE);
    const g = performance.now();
    const gc = cpuNow();
    const block = vectors.generate(start, end);
    genSeconds += seconds(g);
    genCpu += cpuNow() - gc;
    const rows = await toIndexRows(projection, block, end - start);
    const home = await nearestCells(rows, index.centroids, index.cells, 1);
    index.add(
      BigUint64Array.from({ length: end - start }, (_, k) => BigInt(start + k + 1)),
      rows,
      home,
    );
  }
  const filed = seconds(t) - genSeconds;
  let s = performance.now();
  index.save(file);
  const save = seconds(s);
  s = performance.now();
  let candidates = 0;
  const pairsBefore = found.list.length;
  for (let start = from; start < to; start += SEARCH_BLOCK) {
    const end = Math.min(to, start + SEARCH_BLOCK);
    const block = vectors.read(start, end);
    const m = await freshCandidates(index, await toIndexRows(projection, block, end - start), params.floor);
    const a: number[] = [];
    const b: number[] = [];
    const seen = new Set<string>();
    for (let i = 0; i < m.query.length; i++) {
      const x = start + m.query[i];
      const y = Number(m.keys[i]) - 1;
      if (x === y || seen.has(pairId(x, y))) continue;
      seen.add(pairId(x, y));
      a.push(x);
      b.push(y);
    }
    candidates += a.length;
    verify(vectors, a, b, found);
  }
  // The groups the new pairs touch, completed (closeOpenGroups); untouched ones were completed by the first pass.
  const fresh = found.list.slice(pairsBefore);
  const { rootOf, groups } = pairGroups(found.list);
  const touched = new Set(fresh.map((p) => rootOf(p.a)));
  const inGroups = found.list.filter(
    (p) => touched.has(rootOf(p.a)) && (groups.get(rootOf(p.a))?.length ?? 0) > 2,
  );
  await completeGroups(vectors, inGroups, found);
  const pass = seconds(s);
  return {
    seconds: seconds(t) - genSeconds,
    cpu: cpuNow() - c - genCpu,
    file: filed,
    save,
    pass,
    candidates,
  };
}

type Similar = { id: number; shown: number[] };

/**
 * "Similar photos" as a reader asks it (similarPhotos.ts): the saved file opened as a view, the query projected and
 * quantized and searched in its nearest cells (searchSaved: queryProbes's ~QUERY_SCAN_ROWS rows), the best
 * SIMILAR_CANDIDATES re-ranked by exact cosine on the stored vectors (a database read in the pipeline), the top 12 shown.
 * Timed one query at a time, with and without the re-rank.
 */
async function similarPhotos(
  file: string,
  projection: AnnProjection | null,
  vectors: Vectors,
  ids: number[],
  params: BenchParams,
): Promise<{
  p50: number;
  p95: number;
  p95Ranked: number;
  cpuP95: number;
  probes: number;
  rows: number;
  rowsP95: number;
  answers: Similar[];
}> {
  const view = CellIndexView.open(file);
  try {
    const probes = queryProbes(view, params.scanRows);
    const k = Math.min(SIMILAR_CANDIDATES, view.size());
    const times: number[] = [];
    const ranked: number[] = [];
    // CPU milliseconds of the search on this thread: on a shared machine the wall time measures the neighbours' load
    // too, and the process's CPU time counts onnxruntime's pool spinning after the query's projection.
    const cpu: number[] = [];
    // Rows each query read: its nearest cells are as many for every query, but cells in a crowded region hold more.
    const scanned: number[] = [];
    const answers: Similar[] = [];
    const q = new Float32Array(DIM);
    for (const id of ids) {
      vectors.one(id, q);
      const t = performance.now();
      const c = process.threadCpuUsage();
      const m = await searchSaved({ index: view, projection }, q, 1, k, params.scanRows);
      times.push(performance.now() - t);
      cpu.push(cpuSeconds(process.threadCpuUsage(c)) * 1000);
      scanned.push(m.scanned[0]);
      const others = [...m.keys.subarray(0, m.counts[0])]
        .map((key) => Number(key) - 1)
        .filter((o) => o !== id);
      const v = vectors.many(others);
      const shown = others
        .map((o) => ({ o, s: dot(q, v.get(o)!) }))
        .sort((x, y) => y.s - x.s)
        .slice(0, SIMILAR_K)
        .map((x) => x.o);
      ranked.push(performance.now() - t);
      if (answers.length < SIMILAR_SAMPLE) answers.push({ id, shown });
    }
    times.sort((a, b) => a - b);
    ranked.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    scanned.sort((a, b) => a - b);
    return {
      cpuP95: percentile(cpu, 0.95),
      p50: percentile(times, 0.5),
      p95: percentile(times, 0.95),
      p95Ranked: percentile(ranked, 0.95),
      probes,
      rows: scanned.reduce((a, b) => a + b, 0) / Math.max(1, scanned.length),
      rowsP95: percentile(scanned, 0.95),
      answers,
    };
  } finally {
    view.close();
  }
}

/** The refit a sync runs once the index has doubled (annIndex.ts's REFIT_GROWTH): cells fitted on its own rows, refiled. */
async function refit(index: CellIndex): Promise<{ seconds: number; cpu: number }> {
  const t = performance.now();
  const c = cpuNow();
  const { rows } = index.compact();
  const centroids = await fitCells(rows, cellCount(rows.n));
  const near = await nearestCells(rows, centroids, centroids.length / rows.dims, CELL_PROBES);
  index.refile(centroids, near, CELL_PROBES);
  return { seconds: seconds(t), cpu: cpuNow() - c };
}

/** The sample photos of the first pass's recall: half members of planted groups, half random photos. */
function recallSample(size: number, sample: number, pick: () => number): number[] {
  const ids = new Set<number>();
  // Below ~150k photos there are fewer planted photos than half the sample: random ones fill it (this looped forever).
  for (let tries = 0; ids.size < Math.min(sample, size); tries++) {
    const base = Math.floor(pick() * (size / 1000)) * 1000;
    ids.add(
      ids.size % 2 && tries < sample * 20
        ? Math.min(size - 1, base + 985 + Math.floor(pick() * 15))
        : Math.floor(pick() * size),
    );
  }
  return [...ids];
}

type Exact = {
  seconds: number;
  /** Seconds of the reads and products alone: the baseline an exact search would pay per query × photo. */
  products: number;
  queries: number;
  firstCount: number;
  addedCount: number;
  first: {
    pairs: number;
    recalled: number;
    clustered: number;
    worstDrop: number;
    lowest: number;
    belowFloor: number;
  };
  added: { pairs: number; recalled: number };
  similarHits: number;
};

/**
 * The exact reference, one scan of every stored vector (block products) for all the sampled photos at once: their
 * pairs at cosine ≥ THRESHOLD (the first pass's sample among the first `size` photos; the added photos' against all),
 * the int8 cosine (the passes' candidate test) of every exact pair of the first sample, and the exact top 12 of the
 * "similar photos" queries.
 */
async function exactScan(
  vectors: Vectors,
  count: number,
  size: number,
  projection: AnnProjection | null,
  firstIds: number[],
  addedIds: number[],
  similar: Similar[],
  found: { first: Set<string>; all: Set<string> },
  firstCluster: (x: number) => number,
  floor: number,
): Promise<Exact> {
  const t = performance.now();
  let products = 0;
  const ids = [...firstIds, ...addedIds, ...similar.map((s) => s.id)];
  const q = ids.length;
  const queries = new Float32Array(q * DIM);
  for (const [i, id] of ids.entries()) vectors.one(id, queries.subarray(i * DIM, (i + 1) * DIM));
  const queryRows = await toIndexRows(projection, queries, q);
  const d = queryRows.dims;
  const first = {
    pairs: 0,
    recalled: 0,
    clustered: 0,
    worstDrop: Number.NEGATIVE_INFINITY,
    lowest: 1,
    belowFloor: 0,
  };
  const added = { pairs: 0, recalled: 0 };
  const s0 = firstIds.length + addedIds.length;
  const tops = similar.map(() => [] as { id: number; sim: number }[]);
  for (let start = 0; start < count; start += SCAN_CHUNK) {
    const end = Math.min(count, start + SCAN_CHUNK);
    const n = end - start;
    const p = performance.now();
    const block = vectors.read(start, end);
    const sims = await multiplyTransposed(queries, q, block, n, DIM);
    products += seconds(p);
    let rows: CellRows | null = null;
    for (let r = 0; r < s0; r++) {
      const isFirst = r < firstIds.length;
      const o = r * n;
      for (let c = 0; c < n; c++) {
        const exact = sims[o + c];
        const b = start + c;
        if (exact < THRESHOLD || b === ids[r] || (isFirst && b >= size)) continue;
        const hit = (isFirst ? found.first : found.all).has(pairId(ids[r], b));
        if (!isFirst) {
          added.pairs++;
          if (hit) added.recalled++;
          continue;
        }
        first.pairs++;
        if (hit) first.recalled++;
        if (firstCluster(ids[r]) === firstCluster(b)) first.clustered++;
        rows ??= await toIndexRows(projection, block, n);
        let dotI8 = 0;
        for (let k = 0; k < d; k++) dotI8 += queryRows.data[r * d + k] * rows.data[c * d + k];
        const cos = dotI8 / (127 * 127);
        first.worstDrop = Math.max(first.worstDrop, exact - cos);
        first.lowest = Math.min(first.lowest, cos);
        if (cos < floor) first.belowFloor++;
      }
    }
    for (let r = s0; r < q; r++) {
      const top = tops[r - s0];
      const o = r * n;
      for (let c = 0; c < n; c++) {
        const sim = sims[o + c];
        if (start + c === ids[r] || (top.length === SIMILAR_K && sim <= top[SIMILAR_K - 1].sim)) continue;
        top.push({ id: start + c, sim });
        top.sort((x, y) => y.sim - x.sim);
        if (top.length > SIMILAR_K) top.pop();
      }
    }
    if (start % (SCAN_CHUNK * 16) === 0)
      process.stdout.write(`  exact scan ${int(end)}/${int(count)} (${seconds(t).toFixed(0)} s)   \r`);
  }
  let similarHits = 0;
  for (const [i, s] of similar.entries()) {
    const shown = new Set(s.shown);
    similarHits += tops[i].filter((x) => shown.has(x.id)).length;
  }
  return {
    seconds: seconds(t),
    products,
    queries: q,
    firstCount: firstIds.length,
    addedCount: addedIds.length,
    first,
    added,
    similarHits,
  };
}

async function benchSize(
  size: number,
  params: BenchParams,
  dir: string,
  sample: number,
): Promise<{ lines: string[]; figures: SizeFigures }> {
  const count = size + Math.max(1, Math.round(size * ADDED_SHARE));
  const u = new Universe(size);
  const vectors = new Vectors(u, count, path.join(dir, `ann-${size}.f16`), count * (params.dims + 8));
  const file = path.join(dir, `ann-${size}.cells`);
  try {
    return await measure(size, count, vectors, params, file, sample);
  } finally {
    vectors.close();
    fs.rmSync(file, { force: true });
  }
}

async function measure(
  size: number,
  count: number,
  vectors: Vectors,
  params: BenchParams,
  file: string,
  sample: number,
): Promise<{ lines: string[]; figures: SizeFigures }> {
  const found = new Found(count);
  const built = await build(size, vectors, params, file);
  const { index, projection } = built;
  const pass = await firstPass(index, vectors, params, found);
  const firstPairs = found.list.length;
  const firstCluster = found.snapshot();
  const firstIds = new Set(found.ids);
  const peakPass = peakKb();

  const upd = await update(index, projection, vectors, size, count, params, file, found);

  const pick = rng(99);
  const similarIds = Array.from({ length: LATENCY_QUERIES }, () => Math.floor(pick() * count));
  const sim = await similarPhotos(file, projection, vectors, similarIds, params);
  const ref = await refit(index);
  const peakEnd = peakKb();

  // The exact reference for every sample at once: the first pass's recall is counted on the pairs it found, the added
  // photos' on every pair found after the update (theirs and the first pass's).
  const first = recallSample(size, sample, pick);
  const addedCount = count - size;
  const addedSample = Math.min(addedCount, Math.ceil(sample / 2));
  const addedIds = Array.from(
    { length: addedSample },
    (_, i) => size + Math.floor((i * addedCount) / addedSample),
  );
  const exact = await exactScan(
    vectors,
    count,
    size,
    projection,
    first,
    addedIds,
    sim.answers,
    { first: firstIds, all: found.ids },
    firstCluster,
    params.floor,
  );
  return report(size, count, params, {
    built,
    pass,
    firstPairs,
    found,
    upd,
    sim,
    ref,
    exact,
    peakPass,
    peakEnd,
  });
}

function report(
  size: number,
  count: number,
  params: BenchParams,
  m: {
    built: Built;
    pass: Awaited<ReturnType<typeof firstPass>>;
    firstPairs: number;
    found: Found;
    upd: Awaited<ReturnType<typeof update>>;
    sim: Awaited<ReturnType<typeof similarPhotos>>;
    ref: Awaited<ReturnType<typeof refit>>;
    exact: Exact;
    peakPass: number;
    peakEnd: number;
  },
): { lines: string[]; figures: SizeFigures } {
  const { built, pass, upd, sim, ref, exact } = m;
  const target = TARGETS[size];
  const total = built.seconds + pass.seconds;
  const idle = (built.cpu + pass.cpu) / 2;
  const f = exact.first;
  const recall = f.pairs ? f.recalled / f.pairs : 1;
  const updateRecall = exact.added.pairs ? exact.added.recalled / exact.added.pairs : 1;
  const similarRecall = sim.answers.length
    ? exact.similarHits / (SIMILAR_K * sim.answers.length)
    : Number.NaN;
  // The baseline: an exact all-pairs search of the first `size` photos (size²/2 products) at the exact scan's measured
  // rate of reads and products per query × photo.
  const exactAllPairs = (exact.products * size * size) / (2 * exact.queries * count);
  const defaults =
    params.dims === ANN_DIMS &&
    params.probes === CELL_PROBES &&
    params.floor === THRESHOLD - CANDIDATE_MARGIN &&
    params.scanRows === QUERY_SCAN_ROWS;
  const b = built.steps;
  const lines = [
    `${int(size)} × ${DIM}-d, MEASURED, the index of cells ${params.dims < DIM ? `over a ${params.dims}-d projection` : 'not projected'} (int8 rows), ${int(pass.cells)} cells, first pass in ${params.probes} cells per photo, candidate floor ${params.floor.toFixed(3)}, queries over ~${int(params.scanRows)} rows${defaults ? ' (the pipeline’s)' : ' (NOT the pipeline’s defaults)'}:`,
    `  build ${built.seconds.toFixed(0)} s (${built.cpu.toFixed(0)} CPU s): read, project and quantize ${b.rows.toFixed(0)} s, fit cells ${b.fit.toFixed(0)} s, assign ${b.assign.toFixed(0)} s, save ${b.save.toFixed(1)} s · index on disk ${(built.diskBytes / 2 ** 30).toFixed(2)} GB`,
    `  first pass by cells ${pass.seconds.toFixed(0)} s (${pass.cpu.toFixed(0)} CPU s): ${int(pass.candidates)} candidates, ${int(m.firstPairs)} pairs at cosine ≥ ${THRESHOLD} (${int(pass.closed)} of them by completing groups)`,
    `  end to end (build + first pass) ${total.toFixed(0)} s${target ? ` (target < ${target.seconds} s: ${met(total < target.seconds)})` : ''} · data generation excluded from every time` +
      // On a shared machine the wall time measures the neighbours' load; the CPU seconds do not.
      ` · CPU seconds ÷ 2 cores = ${idle.toFixed(0)} s on an idle machine (an estimate: the exact check's JavaScript is one thread)`,
    `  baseline, exact search in this run: ${int(exact.queries)} photos × ${int(count)} in ${exact.products.toFixed(0)} s of reads and products, so all pairs of ${int(size)} photos exactly ~${exactAllPairs.toFixed(0)} s:` +
      ` the first pass ${(exactAllPairs / pass.seconds).toFixed(1)}× faster, end to end ${(exactAllPairs / total).toFixed(1)}×`,
    `  recall of the first pass vs exact on ${int(exact.firstCount)} sampled photos: ${f.recalled}/${f.pairs} = ${recall.toFixed(4)} (target ≥ 0.98: ${met(recall >= 0.98)}); in the same cluster ${f.clustered}/${f.pairs} = ${(f.pairs ? f.clustered / f.pairs : 1).toFixed(4)}` +
      ` · int8 cosine of the exact pairs at most ${f.worstDrop.toFixed(4)} below the exact one (lowest ${f.lowest.toFixed(4)}), ${f.belowFloor} below the floor`,
    `  peak RSS ${gb(m.peakPass)} at the end of the first pass${target?.bytes ? ` (target < ${gb(target.bytes / 1024)}: ${met(m.peakPass * 1024 < target.bytes)})` : ''}, ${gb(m.peakEnd)} after the update, queries and refit`,
    `  incremental update, ${int(count - size)} new photos (${ADDED_SHARE * 100} %, every ${COPY_EVERY}th a near-copy of an indexed one): ${upd.seconds.toFixed(1)} s (${upd.cpu.toFixed(0)} CPU s): filed ${upd.file.toFixed(1)} s, saved ${upd.save.toFixed(1)} s, pass in ${FRESH_PROBES} cells ${upd.pass.toFixed(1)} s (${int(upd.candidates)} candidates)` +
      ` · recall of their pairs vs exact (${int(exact.addedCount)} of them sampled): ${exact.added.recalled}/${exact.added.pairs} = ${updateRecall.toFixed(4)} (target ≥ 0.98: ${met(updateRecall >= 0.98)})`,
    `  similar photos through the saved file (${sim.probes} nearest cells: ${int(Math.round(sim.rows))} rows read on average, ${int(sim.rowsP95)} at p95; best ${SIMILAR_CANDIDATES} re-ranked exactly; ${LATENCY_QUERIES} queries): search p50 ${sim.p50.toFixed(1)} ms, p95 ${sim.p95.toFixed(1)} ms${target?.p95 ? ` (target < ${target.p95} ms: ${met(sim.p95 < target.p95)})` : ''}, p95 ${sim.p95Ranked.toFixed(1)} ms with the re-rank, CPU p95 ${sim.cpuP95.toFixed(1)} ms (the search, its thread)` +
      ` · recall@12 vs exact (${sim.answers.length} queries) ${similarRecall.toFixed(4)} · the exact scan: ${((exact.products / exact.queries) * 1000).toFixed(1)} ms of products per query (batched; one query alone pays every read)`,
    `  refit (what a sync pays once the index has doubled; not part of end to end) ${ref.seconds.toFixed(0)} s (${ref.cpu.toFixed(0)} CPU s) · exact scan ${exact.seconds.toFixed(0)} s`,
    `  load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on 2 cores at the end of this size`,
  ];
  if (
    recall < 0.98 ||
    updateRecall < 0.98 ||
    (target && total > target.seconds) ||
    (target?.bytes && m.peakPass * 1024 > target.bytes)
  )
    process.exitCode = 1;
  return {
    lines,
    figures: {
      size,
      build: built.seconds,
      allNeighbours: pass.seconds,
      total,
      buildCpu: built.cpu,
      searchCpu: pass.cpu,
      peakKb: m.peakPass,
      diskBytes: built.diskBytes,
      recall,
      similarRecall,
      similarP95: sim.p95,
      update: upd.seconds,
      updateRecall,
    },
  };
}
/** Least squares of y = a + b·x. */
function fitLine(xs: number[], ys: number[]): { a: number; b: number } {
  const n = xs.length;
  const mx = xs.reduce((s, x) => s + x, 0) / n;
  const my = ys.reduce((s, y) => s + y, 0) / n;
  let sxy = 0;
  let sxx = 0;
  for (let i = 0; i < n; i++) {
    sxy += (xs[i] - mx) * (ys[i] - my);
    sxx += (xs[i] - mx) ** 2;
  }
  const b = sxx ? sxy / sxx : 0;
  return { a: my - b * mx, b };
}

/**
 * How many of the 2 cores a quiet run keeps busy: the quiet 1M run on main dae1fe4 (2026-12-06 10:42) kept 1.78 and 1.74
 * busy (the graph's build and search), the quiet 10M pass by cells 1.94 (3,773 CPU s in 1,943 s): the lower is taken, so
 * the estimate errs long. Its wall time on two quiet cores is CPU ÷ this.
 */
const QUIET_CORES = 1.75;

/**
 * A larger size from every size measured with the same setting (this run's and --figures'): CPU seconds per vector
 * fitted as a + b·ln n and as a power law (least squares in log-log), build and first pass apart, the larger of the two
 * held against the target. The cells' work per vector grows faster than log n (√n cells: assigning a row costs √n
 * products, a cell's members grow as √n), so the power law is the one to read; the log fit shows how far the two part.
 * CPU seconds, not wall: the runs share the machine. Memory and disk: a line through every size.
 */
export function extrapolate(measured: SizeFigures[], n: number): string[] {
  const sizes = [...new Set(measured.map((f) => f.size))].sort((x, y) => x - y);
  const ln = measured.map((f) => Math.log(f.size));
  const perVectorFit = (x: 'buildCpu' | 'searchCpu') => {
    const per = measured.map((f) => f[x] / f.size);
    const log = fitLine(ln, per);
    const power = fitLine(
      ln,
      per.map((p) => Math.log(p)),
    );
    const logFit = (log.a + log.b * Math.log(n)) * n;
    const powerFit = Math.exp(power.a + power.b * Math.log(n)) * n;
    // The fit's worst miss on the measured sizes, so a reader sees how well a + b·ln n describes them.
    const worst = Math.max(...per.map((p, i) => Math.abs((log.a + log.b * ln[i]) / p - 1)));
    return { logFit, powerFit, high: Math.max(logFit, powerFit), worst, exponent: power.b };
  };
  const build = perVectorFit('buildCpu');
  const search = perVectorFit('searchCpu');
  const cpu = build.high + search.high;
  const rss = fitLine(
    measured.map((f) => f.size),
    measured.map((f) => f.peakKb * 1024),
  );
  const disk = fitLine(
    measured.map((f) => f.size),
    measured.map((f) => f.diskBytes),
  );
  const bytes = rss.a + rss.b * n;
  const target = TARGETS[n];
  const m = (s: number) => `${(s / 60).toFixed(0)} min`;
  const wall = cpu / QUIET_CORES;
  const us = (x: { logFit: number; powerFit: number }) =>
    `${((x.logFit / n) * 1e6).toFixed(0)}–${((x.powerFit / n) * 1e6).toFixed(0)} µs per vector`;
  return [
    `${int(n)} × ${DIM}-d, EXTRAPOLATED (not measured) from ${measured.length} runs at ${sizes.map(int).join(', ')} (CPU seconds per vector as a + b·ln n and as a power law by least squares; the larger held against the target):`,
    `  CPU: build ${m(build.logFit)} (ln n) – ${m(build.powerFit)} (n^${build.exponent.toFixed(2)} per vector), ${us(build)}, the ln n fit within ${(build.worst * 100).toFixed(0)} % of every measured size` +
      ` · all-neighbours ${m(search.logFit)} – ${m(search.powerFit)} (n^${search.exponent.toFixed(2)}), ${us(search)}, within ${(search.worst * 100).toFixed(0)} %`,
    `  end to end on 2 quiet cores: ${m(wall)} (CPU ${m(cpu)} ÷ ${QUIET_CORES}, the cores a quiet run keeps busy; ${m(cpu / 2)} if both were busy throughout)` +
      `${target ? ` (target < ${m(target.seconds)}: ${wall < target.seconds ? 'MET' : 'MISSED'})` : ''}`,
    `  peak RSS ~${(bytes / 2 ** 30).toFixed(1)} GB (${(rss.b / 1024).toFixed(2)} KB per vector + ${(rss.a / 2 ** 30).toFixed(2)} GB)${target?.bytes ? ` (target < ${(target.bytes / 2 ** 30).toFixed(0)} GB: ${bytes < target.bytes ? 'MET' : 'MISSED'})` : ''}` +
      ` · index on disk ~${((disk.a + disk.b * n) / 2 ** 30).toFixed(1)} GB · recall: not extrapolated (measured ${sizes
        .map((s) =>
          measured
            .filter((f) => f.size === s)
            .map((f) => f.recall.toFixed(4))
            .join('/'),
        )
        .join(' → ')})`,
  ];
}

/**
 * Flags: --sizes 250000,1000000 (default) · --10m (adds 10,000,000) · --floor / --probes / --dims / --scan-rows to
 * sweep the index's settings (the pipeline's by default) · --sample N photos for the recall (2,000) · --dir D for the
 * vectors and the index file · --figures F to extrapolate from sizes of several runs.
 */
export async function run(args: string[]): Promise<void> {
  const { flags } = parseArgs(args);
  // `--sizes none --figures F` measures nothing and extrapolates from F's sizes alone.
  const sizes =
    flags.sizes === 'none' ? [] : intListFlag(flags, 'sizes', [250_000, 1_000_000], { min: 1000 });
  if (flags['10m']) sizes.push(10_000_000);
  const params: BenchParams = {
    dims: intFlag(flags, 'dims', ANN_DIMS, { min: 2, max: DIM }),
    probes: intFlag(flags, 'probes', CELL_PROBES, { min: 1, max: 64 }),
    floor: numberFlag(flags, 'floor', THRESHOLD - CANDIDATE_MARGIN, { min: 0, max: 1 }),
    scanRows: intFlag(flags, 'scan-rows', QUERY_SCAN_ROWS, { min: 1 }),
  };
  const dir = typeof flags.dir === 'string' ? flags.dir : tmpdir();
  if (!fs.existsSync(dir)) throw new UsageError(`--dir: ${dir} does not exist`);
  const sample = intFlag(flags, 'sample', 2000, { min: 10 });
  // Figures of earlier runs with the same settings (--figures), so sizes measured in separate runs extrapolate together.
  const figuresFile = typeof flags.figures === 'string' ? flags.figures : null;
  if (sizes.length === 0 && !figuresFile)
    throw new UsageError('--sizes none measures nothing; add --figures F to extrapolate from earlier runs');
  const setting = `cells d=${params.dims} probes=${params.probes} floor=${params.floor} scan=${params.scanRows}`;
  const measured: SizeFigures[] =
    figuresFile && fs.existsSync(figuresFile)
      ? fs
          .readFileSync(figuresFile, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((l) => JSON.parse(l) as SizeFigures & { setting: string })
          .filter((f) => f.setting === setting)
      : [];
  for (const f of measured)
    console.log(`(earlier run, ${figuresFile}: ${int(f.size)} measured at ${setting})`);
  const extrapolations = () => {
    const sizes = new Set(measured.map((f) => f.size));
    for (const n of [1_000_000, 10_000_000])
      if (sizes.size >= 2 && Math.max(...sizes) < n) console.log(`\n${extrapolate(measured, n).join('\n')}`);
  };
  for (const size of sizes) {
    const { lines, figures } = await benchSize(size, params, dir, sample);
    measured.push(figures);
    if (figuresFile) fs.appendFileSync(figuresFile, `${JSON.stringify({ ...figures, setting })}\n`);
    console.log(`\n${lines.join('\n')}`);
    // After every size, so a run stopped before its largest size still leaves an extrapolation.
    extrapolations();
  }
  if (sizes.length === 0) extrapolations();
  console.log(
    `(machine load ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on 2 cores at the end; peak RSS is the process's, all sizes so far)`,
  );
}
