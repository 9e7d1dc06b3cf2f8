// Benchmark: the ANN index of CLIP embeddings (usearch HNSW) at 250k and 1M (10M with --10m) synthetic 512-d
// embeddings with planted near-duplicate groups: build, all-neighbours, recall vs exact, memory, disk, query p95.
import fs from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import {
  ANN_ADD_PAGE,
  ANN_DIMS,
  ANN_PARAMS,
  ANN_QUANTIZATION,
  addPage,
  newIndex,
  type AnnParams,
  type AnnQuantization,
} from '../../pipeline/clip/annIndex.ts';
import {
  CANDIDATE_MARGIN,
  closeGroups,
  dot,
  neighboursAbove,
  pairsAmong,
  SEARCH_BLOCK,
  searchStats,
  searchRows,
} from '../../pipeline/clip/annPairs.ts';
import { type AnnProjection, fitProjection, project } from '../../pipeline/clip/annProjection.ts';
import { decodeFloat16, toHalfBits } from '../../pipeline/clip/float16.ts';
import {
  CELL_PROBES,
  type CellRows,
  cellCount,
  cellPairs,
  fitCells,
  quantizeRows,
} from '../../pipeline/clip/pairCells.ts';
import { CellIndex, CellIndexView, nearestCentroids } from '../../pipeline/clip/cellIndex.ts';
import { multiplyTransposed } from '../../pipeline/clip/matmul.ts';
import { UsageError } from '../../pipeline/cli/flags.ts';
import { parseArgs } from '../../pipeline/cli/withDatabase.ts';
import { intFlag, intListFlag } from './lib/benchFlags.ts';

/** `npm run bench -- ann --help` prints these; any other flag is refused (test/bench/index.ts). */
export const usage = 'the approximate nearest-neighbour index of CLIP embeddings against exact search';
export const flags: Record<string, string> = {
  sizes: 'comma-separated embedding counts (250000,1000000); none with --figures to extrapolate only',
  '10m': 'adds 10,000,000 (~10 GB of memory and disk)',
  quantization: 'f16 or i8 (the pipeline’s default)',
  connectivity: 'HNSW connectivity M, for sweeps (the pipeline’s)',
  'expansion-add': 'HNSW expansion at build, for sweeps (the pipeline’s)',
  'expansion-search': 'the narrow search beam of the all-neighbours pass, for sweeps (the pipeline’s)',
  'expansion-middle': 'the beam a lost row is searched with first (0: none), for sweeps (the pipeline’s)',
  'expansion-wide': 'the wide beam for lost rows and single queries, for sweeps (the pipeline’s)',
  floor:
    'the candidate floor (approximate cosine) of the all-neighbours searches, for sweeps (threshold − margin)',
  pairs:
    'the all-neighbours pass: cells (the pipeline’s first pass: k-means cells, products inside each) or index (an HNSW search per photo, as incremental passes)',
  'cells-only':
    'measures the pass by cells alone (no index built: no build time, query latency or similar photos), for its scaling',
  probes: 'cells each photo is compared in (its own and the next nearest), for sweeps (the pipeline’s)',
  dims: 'dimensions the index holds (a projection on the principal directions of a sample; 512 = none), for sweeps (the pipeline’s)',
  sample: 'N photos for the recall (2000)',
  dir: 'folder for the index files (the OS temp dir; deleted after each size)',
  figures:
    'a file each measured size is appended to (JSON lines) and read back, to extrapolate from sizes of several runs',
};

const DIM = 512;
const THRESHOLD = 0.95;
const CHUNK = 32_768;
/** Queries whose "similar photos" top 12 is checked against an exact scan. */
const SIMILAR_SAMPLE = 200;
const TARGETS: Record<number, { seconds: number; bytes?: number }> = {
  1000000: { seconds: 600 },
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

  vector(i: number, out: Float32Array, offset: number): void {
    out.fill(0, offset, offset + DIM);
    const orig = Universe.original(i);
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

/** One size's measured figures, kept for the extrapolation to 10M. */
/** The bench's parameters: the index's, and the dimensions it holds (DIM = no projection). */
type BenchParams = AnnParams & {
  dims: number;
  floor?: number;
  pairs: 'cells' | 'index';
  probes: number;
  /** No index: the pass by cells alone (its scaling), without build, query latency or similar photos. */
  cellsOnly?: boolean;
};

export type SizeFigures = {
  size: number;
  build: number;
  allNeighbours: number;
  total: number;
  buildCpu: number;
  searchCpu: number;
  peakKb: number;
  diskBytes: number;
  recall: number;
  similarRecall?: number;
};

/**
 * The generated vectors, written once while the index is built and read back in big chunks for the all-neighbours
 * pass and the exact scan: generating them costs about as much as searching them, so regenerating them inside the
 * timed pass would bill generation as search. Kept as float16, as the pipeline stores embeddings (1 KB each: 10 GB at
 * 10M, where float32 would take 20 GB), and the index is given the same rounded vectors every later read returns.
 */
class Vectors {
  private readonly fd: number;
  constructor(
    private readonly u: Universe,
    private readonly file: string,
  ) {
    const free = fs.statfsSync(path.dirname(file));
    const need = u.size * DIM * 2;
    if (free.bavail * free.bsize < need + 2 * 2 ** 30)
      throw new UsageError(
        `${path.dirname(file)}: ${int(u.size)} vectors need ${(need / 2 ** 30).toFixed(1)} GB of disk (plus the index); choose another --dir`,
      );
    this.fd = fs.openSync(file, 'w+');
  }
  /** The first pass: generates, stores as float16, and returns the stored (rounded) values. */
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
  private readonly oneVector = new Float32Array(DIM);
  one(i: number, out: Float32Array): void {
    fs.readSync(this.fd, this.oneBytes, 0, this.oneBytes.byteLength, i * DIM * 2);
    out.set(decodeFloat16(this.oneBytes, this.oneVector));
  }
  close(): void {
    fs.closeSync(this.fd);
    fs.rmSync(this.file, { force: true });
  }
}

type CellStats = {
  candidates: number;
  cells: number;
  /** What an index of the cells would hold: the projected int8 rows, the centroids and each row's nearest cell. */
  rows: CellRows;
  centroids: Float32Array;
  home: Int32Array;
  loadCpu: number;
  fitCpu: number;
  pairCpu: number;
  verifyCpu: number;
};

/**
 * The pipeline's all-neighbours pass by cells (pairPass.ts's cell pass, with the bench's file for the database): the
 * vectors read back, projected and held as int8 rows, the centroids fitted, the candidates of every cell scored
 * exactly on the stored float16 vectors.
 */
async function cellPass(
  size: number,
  vectors: Vectors,
  projection: AnnProjection | null,
  params: BenchParams,
  floor: number,
  keep: (a: number, b: number) => void,
): Promise<CellStats> {
  const dims = projection ? projection.dims : DIM;
  const cpu = () => {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1e6;
  };
  let c = cpu();
  const rows: CellRows = { n: size, dims, data: new Int8Array(size * dims) };
  for (let start = 0; start < size; start += CHUNK) {
    const end = Math.min(size, start + CHUNK);
    const block = vectors.read(start, end);
    quantizeRows(
      projection ? await project(projection, block, end - start) : block,
      end - start,
      rows,
      start,
    );
  }
  const loadCpu = cpu() - c;
  c = cpu();
  const count = cellCount(size, params.probes);
  const centroids = await fitCells(rows, count);
  const fitCpu = cpu() - c;
  c = cpu();
  let candidates = 0;
  let verifyCpu = 0;
  const va = new Float32Array(DIM);
  const vb = new Float32Array(DIM);
  const t = performance.now();
  let home = new Int32Array(0);
  await cellPairs(rows, centroids, floor, {
    probes: params.probes,
    onAssigned: (near, probes) => {
      home = new Int32Array(size);
      for (let i = 0; i < size; i++) home[i] = near[i * probes];
    },
    onBatch: async (b) => {
      const v = cpu();
      candidates += b.a.length;
      for (let i = 0; i < b.a.length; i++) {
        vectors.one(b.a[i], va);
        vectors.one(b.b[i], vb);
        if (dot(va, vb) >= THRESHOLD) keep(b.a[i], b.b[i]);
      }
      verifyCpu += cpu() - v;
      process.stdout.write(`  ${int(b.cellsDone)}/${int(b.cells)} cells (${seconds(t).toFixed(0)} s)   \r`);
    },
  });
  return {
    candidates,
    cells: centroids.length / dims,
    rows,
    centroids,
    home,
    loadCpu,
    fitCpu,
    pairCpu: cpu() - c - verifyCpu,
    verifyCpu,
  };
}

/** Cells a "similar photos" query through the index of cells scans, for the bench's comparison with the graph. */
const CELL_QUERY_PROBES = [8, 16, 32];

/**
 * The pass's cells saved as an index (cellIndex.ts: rows sorted by cell, what the pipeline would keep instead of a
 * graph), timed, then "similar photos" through its file as a reader would ask them: the query's `probes` nearest cells
 * read and scanned, their 64 best re-ranked on the exact vectors; recall@12 against the exact top 12, and the query's
 * time with its reads (the re-rank, a database read in the pipeline, is left out, as for the graph's latency).
 */
function indexOfCells(
  cells: CellStats,
  queries: { id: number }[],
  exactTop: { id: number; sim: number }[][],
  vectors: Vectors,
  file: string,
): { save: number; bytes: number; answers: { probes: number; recall: number; p95: number; rows: number }[] } {
  const { rows, centroids, home } = cells;
  const d = rows.dims;
  const keys = BigUint64Array.from({ length: rows.n }, (_, i) => BigInt(i + 1));
  const t = performance.now();
  CellIndex.of(centroids, rows, keys, home).save(file);
  const save = seconds(t);
  const bytes = fs.statSync(file).size;
  const view = CellIndexView.open(file);
  const q = new Float32Array(DIM);
  const o = new Float32Array(DIM);
  try {
    const answers = CELL_QUERY_PROBES.map((probes) => {
      const times: number[] = [];
      let hits = 0;
      let scanned = 0;
      for (const [r, { id }] of queries.entries()) {
        const t0 = performance.now();
        const m = view.search(rows.data.subarray(id * d, (id + 1) * d), 1, 65, probes);
        times.push(performance.now() - t0);
        for (const c of nearestCentroids(centroids, d, rows.data.subarray(id * d, (id + 1) * d), probes))
          scanned += view.cellSize(c);
        vectors.one(id, q);
        const shown = [...m.keys.subarray(0, m.counts[0])]
          .map((key) => Number(key) - 1)
          .filter((other) => other !== id)
          .map((other) => {
            vectors.one(other, o);
            return { id: other, sim: dot(q, o) };
          })
          .sort((x, y) => y.sim - x.sim)
          .slice(0, 12);
        const ids = new Set(shown.map((x) => x.id));
        hits += exactTop[r].filter((x) => ids.has(x.id)).length;
      }
      times.sort((a, b) => a - b);
      return {
        probes,
        recall: queries.length ? hits / (12 * queries.length) : Number.NaN,
        p95: times[Math.floor(times.length * 0.95)] ?? Number.NaN,
        rows: Math.round(scanned / Math.max(1, queries.length)),
      };
    });
    return { save, bytes, answers };
  } finally {
    view.close();
    fs.rmSync(file, { force: true });
  }
}

async function benchSize(
  size: number,
  quantization: AnnQuantization,
  params: BenchParams,
  dir: string,
  sample: number,
): Promise<{ lines: string[]; figures: SizeFigures }> {
  const u = new Universe(size);
  const vectors = new Vectors(u, path.join(dir, `ann-${size}.f16`));
  try {
    return await measure(size, vectors, quantization, params, dir, sample);
  } finally {
    vectors.close();
  }
}

async function measure(
  size: number,
  vectors: Vectors,
  quantization: AnnQuantization,
  params: BenchParams,
  dir: string,
  sample: number,
): Promise<{ lines: string[]; figures: SizeFigures }> {
  const lines: string[] = [];
  const file = path.join(dir, `ann-${size}.usearch`);

  // Build, in pages as the clip stage's finishing step adds them (ANN_ADD_PAGE vectors per multi-threaded add).
  // With a projection, it is fitted on the first page (as syncAnnIndex does) and every vector is projected before it
  // is added or searched; both are timed as part of the build and the search.
  let t = performance.now();
  const index = newIndex(params.dims, quantization, params);
  let genSeconds = 0;
  let buildCpu = 0;
  let projection: AnnProjection | null = null;
  let fitSeconds = 0;
  const toIndex = async (block: Float32Array, n: number) =>
    projection ? project(projection, block, n) : block;
  for (let start = 0; start < size; start += ANN_ADD_PAGE) {
    const end = Math.min(size, start + ANN_ADD_PAGE);
    const g = performance.now();
    const raw = vectors.generate(start, end);
    genSeconds += seconds(g);
    const c = process.cpuUsage();
    if (params.dims < DIM && !projection) {
      const f = performance.now();
      projection = await fitProjection(raw, end - start, DIM, params.dims);
      fitSeconds = seconds(f);
    }
    if (!params.cellsOnly)
      addPage(
        index,
        BigUint64Array.from({ length: end - start }, (_, k) => BigInt(start + k + 1)),
        await toIndex(raw, end - start),
      );
    buildCpu += cpuSeconds(process.cpuUsage(c));
    if (start % (ANN_ADD_PAGE * 8) === 0)
      process.stdout.write(`  ${int(end)}/${int(size)} added (${seconds(t).toFixed(0)} s)\r`);
  }
  const build = seconds(t) - genSeconds;
  t = performance.now();
  if (!params.cellsOnly) index.save(file);
  const save = seconds(t);
  const diskBytes = params.cellsOnly ? 0 : fs.statSync(file).size;

  // All neighbours: every vector searched in blocks of SEARCH_BLOCK (as pairsThroughIndex pages the stored
  // embeddings), candidates above threshold − margin kept by exact cosine.
  t = performance.now();
  const c0 = process.cpuUsage();
  Object.assign(searchStats, { rows: 0, middle: 0, wide: 0, wideCpu: 0, unreached: 0 });
  const floor = params.floor ?? THRESHOLD - CANDIDATE_MARGIN;
  const pairs = new Set<string>();
  // The duplicate check merges pairs by union-find: a pair the index missed inside a group still lands in its cluster.
  const parent = Int32Array.from({ length: size }, (_, i) => i);
  const find = (x: number): number => {
    while (parent[x] !== x) x = parent[x] = parent[parent[x]];
    return x;
  };
  const join = (a: number, b: number) => {
    parent[find(a)] = find(b);
  };
  const scratch = new Float32Array(DIM);
  let candidates = 0;
  // Pairs found from rows the narrow beam alone answered: what the pass would find without the wide retry (a lower
  // bound: a lost row's narrow answer may hold some of its pairs too).
  const narrowPairs = new Set<string>();
  const stray: { ids: string[]; vectors: Float32Array[] } = { ids: [], vectors: [] };
  let strayPairs = 0;
  let cells: CellStats | null = null;
  if (params.pairs === 'cells') {
    cells = await cellPass(size, vectors, projection, params, floor, (a, b) => {
      pairs.add(a < b ? `${a}:${b}` : `${b}:${a}`);
      join(a, b);
    });
    candidates = cells.candidates;
  } else {
    for (let start = 0; start < size; start += SEARCH_BLOCK) {
      const end = Math.min(size, start + SEARCH_BLOCK);
      const block = vectors.read(start, end);
      const keys = Array.from({ length: end - start }, (_, k) => BigInt(start + k + 1));
      const wideRows: number[] = [];
      const unreached: number[] = [];
      const found = neighboursAbove(
        index,
        await toIndex(block, end - start),
        keys,
        floor,
        params.expansionWide,
        {
          wideRows,
          unreached,
          middle: params.expansionMiddle,
        },
      );
      const wideSet = new Set(wideRows);
      for (const row of unreached) {
        stray.ids.push(String(start + row));
        stray.vectors.push(block.slice(row * DIM, (row + 1) * DIM));
      }
      found.forEach((ns, row) => {
        const a = start + row;
        for (const key of ns) {
          const b = Number(key) - 1;
          const id = a < b ? `${a}:${b}` : `${b}:${a}`;
          if (pairs.has(id)) {
            if (!wideSet.has(row)) narrowPairs.add(id);
            continue;
          }
          candidates++;
          // Exact cosine of the two stored vectors (the product reads the other one from the database).
          let other: Float32Array;
          if (b >= start && b < end) other = block.subarray((b - start) * DIM, (b - start + 1) * DIM);
          else {
            vectors.one(b, scratch);
            other = scratch;
          }
          if (dot(block.subarray(row * DIM, (row + 1) * DIM), other) >= THRESHOLD) {
            pairs.add(id);
            if (!wideSet.has(row)) narrowPairs.add(id);
            join(a, b);
          }
        }
      });
      if (start % (SEARCH_BLOCK * 64) === 0)
        process.stdout.write(`  ${int(end)}/${int(size)} searched (${seconds(t).toFixed(0)} s)   \r`);
    }
    // As pairsThroughIndex: the rows no search reached, scored against each other exactly.
    const strayBefore = pairs.size;
    for (const p of await pairsAmong(stray.ids, stray.vectors, THRESHOLD)) {
      const [a, b] = [Number(p.a), Number(p.b)];
      pairs.add(a < b ? `${a}:${b}` : `${b}:${a}`);
      join(a, b);
    }
    strayPairs = pairs.size - strayBefore;
  }
  // The product's last step: every pair inside each group found is scored.
  const load = async (ids: string[]) =>
    new Map(
      ids.map((id) => {
        const v = new Float32Array(DIM);
        vectors.one(Number(id), v);
        return [id, v] as const;
      }),
    );
  const close = async (set: Set<string>) => {
    const found = [...set].map((id) => {
      const [a, b] = id.split(':');
      return { a, b, similarity: 0 };
    });
    return (await closeGroups(found, THRESHOLD, load)).slice(found.length);
  };
  const added = await close(pairs);
  const missedInGroups = added.length;
  for (const p of added) {
    const [a, b] = [Number(p.a), Number(p.b)];
    pairs.add(a < b ? `${a}:${b}` : `${b}:${a}`);
    join(a, b);
  }
  const allNeighbours = seconds(t);
  const searchCpu = cpuSeconds(process.cpuUsage(c0));
  // The counterfactual without the wide retry (closed the same way; not timed, not part of the product).
  for (const p of await close(narrowPairs)) {
    const [a, b] = [Number(p.a), Number(p.b)];
    narrowPairs.add(a < b ? `${a}:${b}` : `${b}:${a}`);
  }

  // Query latency: "similar photos", the top 12 of one photo, one query at a time.
  const latencies: number[] = [];
  const q = new Float32Array(DIM);
  const pick = rng(99);
  // As similarPhotos.ts asks: 4 × k candidates (at least 64) from a projected index, re-ranked by exact cosine.
  const wanted = projection ? 64 : 25;
  const similar: { id: number; candidates: bigint[] }[] = [];
  for (let i = 0; i < (params.cellsOnly ? SIMILAR_SAMPLE : 1000); i++) {
    const id = Math.floor(pick() * size);
    if (params.cellsOnly) {
      similar.push({ id, candidates: [] });
      continue;
    }
    vectors.one(id, q);
    const s = performance.now();
    const m = searchRows(index, await toIndex(q, 1), wanted, params.expansionWide);
    latencies.push(performance.now() - s);
    if (i < SIMILAR_SAMPLE) similar.push({ id, candidates: [...m.keys.subarray(0, Number(m.counts[0]))] });
  }
  latencies.sort((a, b) => a - b);
  const p95 = latencies[Math.floor(latencies.length * 0.95)] ?? Number.NaN;
  const peakKb = process.resourceUsage().maxRSS;

  // Recall against the exact search for a sample: half members of planted groups, half random photos.
  t = performance.now();
  const sampleIds = new Set<number>();
  // Below ~150k photos there are fewer planted photos than half the sample: random ones fill it (this looped forever).
  for (let tries = 0; sampleIds.size < Math.min(sample, size); tries++) {
    const base = Math.floor(pick() * (size / 1000)) * 1000;
    sampleIds.add(
      sampleIds.size % 2 && tries < sample * 20
        ? Math.min(size - 1, base + 985 + Math.floor(pick() * 15))
        : Math.floor(pick() * size),
    );
  }
  const ids = [...sampleIds];
  const queries = new Float32Array(ids.length * DIM);
  for (const [i, id] of ids.entries()) vectors.one(id, queries.subarray(i * DIM, (i + 1) * DIM));
  const projectedQueries = projection ? await project(projection, queries, ids.length) : null;
  const unit = (v: Float32Array, o: number, d: number) => {
    let s = 0;
    for (let k = 0; k < d; k++) s += v[o + k] * v[o + k];
    return Math.sqrt(s);
  };
  // The projection's error on the exact pairs: how far below its exact cosine a pair's projected cosine falls.
  let worstDrop = Number.NEGATIVE_INFINITY;
  let lowestProjected = 1;
  let belowFloor = 0;
  let exactPairs = 0;
  let recalled = 0;
  let recalledNarrow = 0;
  let clustered = 0;
  for (let start = 0; start < size; start += CHUNK) {
    const end = Math.min(size, start + CHUNK);
    const block = vectors.read(start, end);
    const sims = await multiplyTransposed(queries, ids.length, block, end - start, DIM);
    const projected = projection ? await project(projection, block, end - start) : null;
    for (let r = 0; r < ids.length; r++)
      for (let c = 0; c < end - start; c++) {
        const b = start + c;
        const exact = sims[r * (end - start) + c];
        if (b === ids[r] || exact < THRESHOLD) continue;
        exactPairs++;
        if (projected && projectedQueries) {
          const d = params.dims;
          let s = 0;
          for (let k = 0; k < d; k++) s += projectedQueries[r * d + k] * projected[c * d + k];
          const cos = s / (unit(projectedQueries, r * d, d) * unit(projected, c * d, d));
          worstDrop = Math.max(worstDrop, exact - cos);
          lowestProjected = Math.min(lowestProjected, cos);
          if (cos < floor) belowFloor++;
        }
        const id = ids[r] < b ? `${ids[r]}:${b}` : `${b}:${ids[r]}`;
        if (pairs.has(id)) recalled++;
        if (narrowPairs.has(id)) recalledNarrow++;
        if (find(ids[r]) === find(b)) clustered++;
      }
  }
  const recall = exactPairs ? recalled / exactPairs : 1;

  // "Similar photos" quality: the top 12 the pipeline shows (the index's candidates re-ranked exactly) against the
  // exact top 12 of a scan, for SIMILAR_SAMPLE of the latency queries.
  const simQueries = new Float32Array(similar.length * DIM);
  for (const [i, s] of similar.entries()) vectors.one(s.id, simQueries.subarray(i * DIM, (i + 1) * DIM));
  const exactTop = similar.map(() => [] as { id: number; sim: number }[]);
  const pushTop = (top: { id: number; sim: number }[], id: number, sim: number) => {
    if (top.length === 12 && sim <= top[11].sim) return;
    top.push({ id, sim });
    top.sort((x, y) => y.sim - x.sim);
    if (top.length > 12) top.pop();
  };
  for (let start = 0; start < size; start += CHUNK) {
    const end = Math.min(size, start + CHUNK);
    const sims = await multiplyTransposed(
      simQueries,
      similar.length,
      vectors.read(start, end),
      end - start,
      DIM,
    );
    for (let r = 0; r < similar.length; r++)
      for (let c = 0; c < end - start; c++)
        if (start + c !== similar[r].id) pushTop(exactTop[r], start + c, sims[r * (end - start) + c]);
  }
  let similarHits = 0;
  const other = new Float32Array(DIM);
  for (const [r, s] of similar.entries()) {
    const top: { id: number; sim: number }[] = [];
    for (const key of s.candidates) {
      const id = Number(key) - 1;
      if (id === s.id) continue;
      vectors.one(id, other);
      pushTop(top, id, dot(simQueries.subarray(r * DIM, (r + 1) * DIM), other));
    }
    const shown = new Set(top.map((x) => x.id));
    similarHits += exactTop[r].filter((x) => shown.has(x.id)).length;
  }
  const similarRecall =
    similar.length && !params.cellsOnly ? similarHits / (12 * similar.length) : Number.NaN;
  const ofCells = cells
    ? indexOfCells(cells, similar, exactTop, vectors, path.join(dir, `ann-${size}.cells`))
    : null;
  const clusterRecall = exactPairs ? clustered / exactPairs : 1;
  const recallSeconds = seconds(t);

  const target = TARGETS[size];
  const total = build + save + allNeighbours;
  const idle = (buildCpu + searchCpu) / 2 + save;
  const defaults =
    params.connectivity === ANN_PARAMS.connectivity &&
    params.expansionAdd === ANN_PARAMS.expansionAdd &&
    params.expansionSearch === ANN_PARAMS.expansionSearch &&
    params.expansionWide === ANN_PARAMS.expansionWide &&
    params.expansionMiddle === ANN_PARAMS.expansionMiddle &&
    params.dims === ANN_DIMS &&
    params.pairs === 'cells' &&
    params.probes === CELL_PROBES;
  lines.push(
    `${int(size)} × ${DIM}-d, MEASURED, ${quantization}, M=${params.connectivity} efAdd=${params.expansionAdd} efSearch=${params.expansionSearch} (${params.expansionMiddle ? `then ${params.expansionMiddle}, ` : ''}wide ${params.expansionWide}) ${params.dims < DIM ? `projected to ${params.dims} dims (fit ${fitSeconds.toFixed(1)} s)` : 'not projected'}${defaults ? ' (the pipeline’s)' : ' (NOT the pipeline’s defaults)'}:`,
    `  build ${build.toFixed(0)} s (${int(Math.round(size / build))}/s; ${buildCpu.toFixed(0)} CPU s) · save ${save.toFixed(1)} s · all-neighbours ${allNeighbours.toFixed(0)} s (${searchCpu.toFixed(0)} CPU s)` +
      ` · end to end ${total.toFixed(0)} s${target ? ` (target < ${target.seconds} s: ${total < target.seconds ? 'MET' : 'MISSED'})` : ''}` +
      ` · data generation excluded from wall times`,
    // On a shared machine the wall time measures the neighbours' load; the CPU seconds do not.
    `  CPU seconds ÷ 2 cores = ${idle.toFixed(0)} s end to end on an idle machine (an estimate: the exact check's JavaScript is one thread)` +
      `${target ? ` (target < ${target.seconds} s: ${idle < target.seconds ? 'MET' : 'MISSED'})` : ''}`,
    `  ${int(pairs.size)} pairs at cosine ≥ ${THRESHOLD} from ${int(candidates)} candidates (${int(missedInGroups)} added by scoring inside groups; ${cells ? `all-neighbours by ${int(cells.cells)} cells, each photo compared in ${params.probes}` : `${int(searchStats.middle + searchStats.wide)} of ${int(searchStats.rows)} searches did not return their own photo and were repeated${params.expansionMiddle ? `, ${int(searchStats.middle)} with beam ${params.expansionMiddle}` : ''}, ${int(searchStats.wide)} with the wide one`}) · recall vs exact on ${int(ids.length)} sampled photos:` +
      ` ${recalled}/${exactPairs} = ${recall.toFixed(4)} (target ≥ 0.98: ${recall >= 0.98 ? 'MET' : 'MISSED'}; exact scan ${recallSeconds.toFixed(0)} s);` +
      ` in the same duplicate cluster: ${clustered}/${exactPairs} = ${clusterRecall.toFixed(4)}`,
    cells
      ? `  the cell pass's CPU s: load and project ${cells.loadCpu.toFixed(0)}, fit ${cells.fitCpu.toFixed(0)}, assign and products ${cells.pairCpu.toFixed(0)}, exact check ${cells.verifyCpu.toFixed(0)}, groups ${(searchCpu - cells.loadCpu - cells.fitCpu - cells.pairCpu - cells.verifyCpu).toFixed(0)}`
      : `  the retries: ${searchStats.wideCpu.toFixed(0)} of the ${searchCpu.toFixed(0)} search CPU s; without it recall ≥ ${recalledNarrow}/${exactPairs} = ${(exactPairs ? recalledNarrow / exactPairs : 1).toFixed(4)} (pairs found from rows the narrow beam answered, closed in groups)` +
          ` · ${int(searchStats.unreached)} rows not reached even wide (their own search never returned them), ${int(strayPairs)} pairs among them scored exactly`,
    ...(projection
      ? [
          `  the projection to ${params.dims} dims on the ${int(exactPairs)} exact pairs: projected cosine at most ${worstDrop.toFixed(4)} below the exact one, lowest ${lowestProjected.toFixed(4)}; ${belowFloor} pairs below the candidate floor ${floor.toFixed(3)}`,
        ]
      : []),
    `  peak RSS ${gb(peakKb)}${target?.bytes ? ` (target < ${gb(target.bytes / 1024)}: ${peakKb * 1024 < target.bytes ? 'MET' : 'MISSED'})` : ''}` +
      (params.cellsOnly
        ? ' · no index (--cells-only): build, query latency and similar photos not measured'
        : ` · index on disk ${(diskBytes / 2 ** 30).toFixed(2)} GB · query top-12 p50 ${latencies[500]?.toFixed(2)} ms, p95 ${p95.toFixed(2)} ms (target < 50 ms: ${p95 < 50 ? 'MET' : 'MISSED'})` +
          ` · similar photos' top 12 against an exact scan (${similar.length} queries): recall@12 ${similarRecall.toFixed(4)}`),
    ...(ofCells
      ? [
          `  the pass's cells saved as an index (cellIndex.ts, not the pipeline's yet): ${(ofCells.bytes / 2 ** 30).toFixed(2)} GB written in ${ofCells.save.toFixed(1)} s; similar photos through its file (a query's nearest cells read and scanned, the best 64 re-ranked exactly; ${similar.length} queries): ` +
            ofCells.answers
              .map(
                (r) =>
                  `${r.probes} cells: recall@12 ${r.recall.toFixed(4)}, p95 ${r.p95.toFixed(2)} ms (${int(r.rows)} rows read)`,
              )
              .join(' · '),
        ]
      : []),
    `  load average ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} on 2 cores at the end of this size`,
  );
  fs.rmSync(file, { force: true });
  if (recall < 0.98 || (target && total > target.seconds)) process.exitCode = 1;
  return {
    lines,
    figures: {
      size,
      build,
      allNeighbours,
      total,
      buildCpu,
      searchCpu,
      peakKb,
      diskBytes,
      recall,
      similarRecall,
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
 * How many of the 2 cores a quiet run keeps busy: the quiet 1M run on main dae1fe4 (2026-12-06 10:42) took 515 CPU s in
 * 289 s of build and 601 in 346 s of search (1.78 and 1.74). Its wall time on two quiet cores is CPU ÷ this.
 */
const QUIET_CORES = 1.75;

/**
 * A larger size from every size measured with the same setting (this run's and --figures'): HNSW's work per vector
 * grows with log n (each add and each search walks ~log n layers, and cache misses grow with the graph), so CPU seconds
 * per vector are fitted as a + b·ln n by least squares, build and search apart; a power law (least squares in log-log,
 * steeper when cache misses grow faster than log n) is printed too, and the larger of the two is the figure held
 * against the target. CPU seconds, not wall: the runs share the machine. Memory and disk: a line through every size.
 */
export function extrapolate(measured: SizeFigures[], n: number): string[] {
  const sizes = [...new Set(measured.map((f) => f.size))].sort((x, y) => x - y);
  const ln = measured.map((f) => Math.log(f.size));
  const perVectorFit = (x: 'buildCpu' | 'searchCpu') => {
    const per = measured.map((f) => f[x] / f.size);
    // --cells-only measures no build.
    if (per.every((p) => p === 0)) return { logFit: 0, powerFit: 0, high: 0, worst: 0, exponent: 0 };
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
    `  CPU: ${build.high === 0 ? 'build not measured (--cells-only: add the build’s own extrapolation)' : `build ${m(build.logFit)} (ln n) – ${m(build.powerFit)} (n^${build.exponent.toFixed(2)} per vector), ${us(build)}, the ln n fit within ${(build.worst * 100).toFixed(0)} % of every measured size`}` +
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
 * Flags: --sizes 250000,1000000 (default) · --10m (adds 10,000,000; ~10 GB of RAM and disk) · --quantization f16|i8 ·
 * --sample N photos for the recall (2,000) · --dir D for the index files (the OS temp dir; deleted after each size) ·
 * --connectivity / --expansion-add / --expansion-search to sweep HNSW parameters (the pipeline's by default).
 */
export async function run(args: string[]): Promise<void> {
  const { flags } = parseArgs(args);
  // `--sizes none --figures F` measures nothing and extrapolates from F's sizes alone.
  const sizes =
    flags.sizes === 'none' ? [] : intListFlag(flags, 'sizes', [250_000, 1_000_000], { min: 1000 });
  if (flags['10m']) sizes.push(10_000_000);
  if (sizes.some((s) => !Number.isInteger(s) || s < 1000))
    throw new Error('--sizes: integers ≥ 1000, comma-separated');
  const quantization = (flags.quantization ?? ANN_QUANTIZATION) as AnnQuantization;
  if (quantization !== 'f16' && quantization !== 'i8') throw new Error('--quantization: f16 or i8');
  const param = (flag: string, fallback: number) => {
    const v = flags[flag] === undefined ? fallback : Number(flags[flag]);
    if (!Number.isInteger(v) || v < 2 || v > 4096) throw new Error(`--${flag}: an integer from 2 to 4096`);
    return v;
  };
  const params: BenchParams = {
    connectivity: param('connectivity', ANN_PARAMS.connectivity),
    expansionAdd: param('expansion-add', ANN_PARAMS.expansionAdd),
    expansionSearch: param('expansion-search', ANN_PARAMS.expansionSearch),
    expansionWide: param('expansion-wide', ANN_PARAMS.expansionWide),
    expansionMiddle:
      flags['expansion-middle'] === undefined
        ? ANN_PARAMS.expansionMiddle
        : flags['expansion-middle'] === '0'
          ? 0
          : param('expansion-middle', 0),
    dims: param('dims', ANN_DIMS),
    pairs: flags.pairs === undefined ? 'cells' : (flags.pairs as 'cells' | 'index'),
    probes: flags.probes === undefined ? CELL_PROBES : param('probes', CELL_PROBES),
    cellsOnly: Boolean(flags['cells-only']),
  };
  if (params.cellsOnly && params.pairs !== 'cells') throw new UsageError('--cells-only: with --pairs cells');
  if (params.pairs !== 'cells' && params.pairs !== 'index') throw new UsageError('--pairs: cells or index');
  if (flags.floor !== undefined) params.floor = Number(flags.floor);
  if (params.dims > DIM) throw new UsageError(`--dims: at most ${DIM}`);
  const dir = typeof flags.dir === 'string' ? flags.dir : tmpdir();
  const sample = intFlag(flags, 'sample', 2000, { min: 10 });
  // Figures of earlier runs with the same settings (--figures), so sizes measured in separate runs extrapolate together.
  const figuresFile = typeof flags.figures === 'string' ? flags.figures : null;
  if (sizes.length === 0 && !figuresFile)
    throw new UsageError('--sizes none measures nothing; add --figures F to extrapolate from earlier runs');
  const setting = `${quantization} M=${params.connectivity} efAdd=${params.expansionAdd} ef=${params.expansionSearch}/${params.expansionMiddle ? `${params.expansionMiddle}/` : ''}${params.expansionWide}${params.dims < DIM ? ` d=${params.dims}` : ''}${params.floor !== undefined ? ` floor=${params.floor}` : ''}${params.pairs === 'cells' ? ` cells×${params.probes}` : ''}${params.cellsOnly ? ' cells-only' : ''}`;
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
    const { lines, figures } = await benchSize(size, quantization, params, dir, sample);
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
