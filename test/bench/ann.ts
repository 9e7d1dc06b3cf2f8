// Benchmark: the ANN index of CLIP embeddings (usearch HNSW) at 250k and 1M (10M with --10m) synthetic 512-d
// embeddings with planted near-duplicate groups: build, all-neighbours, recall vs exact, memory, disk, query p95.
import fs from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import path from 'node:path';
import { ANN_PARAMS, newIndex, type AnnQuantization } from '../../pipeline/clip/annIndex.ts';
import {
  CANDIDATE_MARGIN,
  closeGroups,
  dot,
  neighboursAbove,
  searchRows,
} from '../../pipeline/clip/annPairs.ts';
import { multiplyTransposed } from '../../pipeline/clip/matmul.ts';
import { parseArgs } from '../../pipeline/cli/withDatabase.ts';
import { intFlag, intListFlag } from './lib/benchFlags.ts';

/** `npm run bench -- ann --help` prints these; any other flag is refused (test/bench/index.ts). */
export const usage = 'the approximate nearest-neighbour index of CLIP embeddings against exact search';
export const flags: Record<string, string> = {
  sizes: 'comma-separated embedding counts (250000,1000000)',
  '10m': 'adds 10,000,000 (~10 GB of memory and disk)',
  quantization: 'f16 or i8 (f16)',
  sample: 'N photos for the recall (2000)',
  dir: 'folder for the index files (the OS temp dir; deleted after each size)',
};

const DIM = 512;
const THRESHOLD = 0.95;
const CHUNK = 32_768;
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

async function benchSize(
  size: number,
  quantization: AnnQuantization,
  dir: string,
  sample: number,
): Promise<string[]> {
  const u = new Universe(size);
  const lines: string[] = [];
  const file = path.join(dir, `ann-${size}.usearch`);
  const cpu0 = process.cpuUsage();

  // Build, in chunks as the clip stage's finishing step adds pages of embeddings.
  let t = performance.now();
  const index = newIndex(DIM, quantization);
  let genSeconds = 0;
  for (let start = 0; start < size; start += CHUNK) {
    const end = Math.min(size, start + CHUNK);
    const g = performance.now();
    const block = u.chunk(start, end);
    genSeconds += seconds(g);
    index.add(
      BigUint64Array.from({ length: end - start }, (_, k) => BigInt(start + k + 1)),
      block,
      0,
    );
    if (start % (CHUNK * 8) === 0)
      process.stdout.write(`  ${int(end)}/${int(size)} added (${seconds(t).toFixed(0)} s)\r`);
  }
  const build = seconds(t) - genSeconds;
  t = performance.now();
  index.save(file);
  const save = seconds(t);
  const diskBytes = fs.statSync(file).size;

  // All neighbours: every vector searched, candidates above threshold − margin kept by exact cosine.
  t = performance.now();
  genSeconds = 0;
  const floor = THRESHOLD - CANDIDATE_MARGIN;
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
  for (let start = 0; start < size; start += CHUNK) {
    const end = Math.min(size, start + CHUNK);
    const g = performance.now();
    const block = u.chunk(start, end);
    genSeconds += seconds(g);
    const keys = Array.from({ length: end - start }, (_, k) => BigInt(start + k + 1));
    const found = neighboursAbove(index, block, keys, floor);
    found.forEach((ns, row) => {
      const a = start + row;
      for (const key of ns) {
        const b = Number(key) - 1;
        const id = a < b ? `${a}:${b}` : `${b}:${a}`;
        if (pairs.has(id)) continue;
        candidates++;
        // Exact cosine of the two float32 vectors (the product re-reads both from the database).
        if (b >= start && b < end) {
          if (
            dot(
              block.subarray(row * DIM, (row + 1) * DIM),
              block.subarray((b - start) * DIM, (b - start + 1) * DIM),
            ) >= THRESHOLD
          ) {
            pairs.add(id);
            join(a, b);
          }
        } else {
          u.vector(b, scratch, 0);
          if (dot(block.subarray(row * DIM, (row + 1) * DIM), scratch) >= THRESHOLD) {
            pairs.add(id);
            join(a, b);
          }
        }
      }
    });
    if (start % (CHUNK * 8) === 0)
      process.stdout.write(`  ${int(end)}/${int(size)} searched (${seconds(t).toFixed(0)} s)   \r`);
  }
  // The product's last step: every pair inside each group found is scored (vectors regenerated here, read there).
  const found = [...pairs].map((id) => {
    const [a, b] = id.split(':');
    return { a, b, similarity: 0 };
  });
  const closed = await closeGroups(found, THRESHOLD, async (ids) => {
    const g = performance.now();
    const m = new Map(
      ids.map((id) => {
        const v = new Float32Array(DIM);
        u.vector(Number(id), v, 0);
        return [id, v];
      }),
    );
    genSeconds += seconds(g);
    return m;
  });
  const missedInGroups = closed.length - found.length;
  for (const p of closed.slice(found.length)) {
    const [a, b] = [Number(p.a), Number(p.b)];
    pairs.add(a < b ? `${a}:${b}` : `${b}:${a}`);
    join(a, b);
  }
  const allNeighbours = seconds(t) - genSeconds;

  // Query latency: "similar photos", the top 12 of one photo, one query at a time.
  const latencies: number[] = [];
  const q = new Float32Array(DIM);
  const pick = rng(99);
  for (let i = 0; i < 1000; i++) {
    u.vector(Math.floor(pick() * size), q, 0);
    const s = performance.now();
    searchRows(index, q, 13);
    latencies.push(performance.now() - s);
  }
  latencies.sort((a, b) => a - b);
  const p95 = latencies[Math.floor(latencies.length * 0.95)];
  const cpu = process.cpuUsage(cpu0);
  const peakKb = process.resourceUsage().maxRSS;

  // Recall against the exact search for a sample: half members of planted groups, half random photos.
  t = performance.now();
  const sampleIds = new Set<number>();
  while (sampleIds.size < sample) {
    const base = Math.floor(pick() * (size / 1000)) * 1000;
    sampleIds.add(
      sampleIds.size % 2
        ? Math.min(size - 1, base + 985 + Math.floor(pick() * 15))
        : Math.floor(pick() * size),
    );
  }
  const ids = [...sampleIds];
  const queries = new Float32Array(ids.length * DIM);
  for (const [i, id] of ids.entries()) u.vector(id, queries, i * DIM);
  let exactPairs = 0;
  let recalled = 0;
  let clustered = 0;
  for (let start = 0; start < size; start += CHUNK) {
    const end = Math.min(size, start + CHUNK);
    const block = u.chunk(start, end);
    const sims = await multiplyTransposed(queries, ids.length, block, end - start, DIM);
    for (let r = 0; r < ids.length; r++)
      for (let c = 0; c < end - start; c++) {
        const b = start + c;
        if (b === ids[r] || sims[r * (end - start) + c] < THRESHOLD) continue;
        exactPairs++;
        if (pairs.has(ids[r] < b ? `${ids[r]}:${b}` : `${b}:${ids[r]}`)) recalled++;
        if (find(ids[r]) === find(b)) clustered++;
      }
  }
  const recall = exactPairs ? recalled / exactPairs : 1;
  const clusterRecall = exactPairs ? clustered / exactPairs : 1;
  const recallSeconds = seconds(t);

  const target = TARGETS[size];
  const total = build + save + allNeighbours;
  lines.push(
    `${int(size)} × ${DIM}-d, ${quantization}, M=${ANN_PARAMS.connectivity} efAdd=${ANN_PARAMS.expansionAdd} efSearch=${ANN_PARAMS.expansionSearch}:`,
    `  build ${build.toFixed(0)} s (${int(Math.round(size / build))}/s) · save ${save.toFixed(1)} s · all-neighbours ${allNeighbours.toFixed(0)} s` +
      ` · end to end ${total.toFixed(0)} s${target ? ` (target < ${target.seconds} s: ${total < target.seconds ? 'MET' : 'MISSED'})` : ''}` +
      ` · CPU ${(cpu.user / 1e6 + cpu.system / 1e6).toFixed(0)} s (data generation excluded from wall times)`,
    `  ${int(pairs.size)} pairs at cosine ≥ ${THRESHOLD} from ${int(candidates)} candidates (${int(missedInGroups)} added by scoring inside groups) · recall vs exact on ${int(ids.length)} sampled photos:` +
      ` ${recalled}/${exactPairs} = ${recall.toFixed(4)} (target ≥ 0.98: ${recall >= 0.98 ? 'MET' : 'MISSED'}; exact scan ${recallSeconds.toFixed(0)} s);` +
      ` in the same duplicate cluster: ${clustered}/${exactPairs} = ${clusterRecall.toFixed(4)}`,
    `  peak RSS ${gb(peakKb)}${target?.bytes ? ` (target < ${gb(target.bytes / 1024)}: ${peakKb * 1024 < target.bytes ? 'MET' : 'MISSED'})` : ''}` +
      ` · index on disk ${(diskBytes / 2 ** 30).toFixed(2)} GB · query top-12 p50 ${latencies[500].toFixed(2)} ms, p95 ${p95.toFixed(2)} ms (target < 50 ms: ${p95 < 50 ? 'MET' : 'MISSED'})`,
  );
  fs.rmSync(file, { force: true });
  if (recall < 0.98 || (target && total > target.seconds)) process.exitCode = 1;
  return lines;
}

/**
 * Flags: --sizes 250000,1000000 (default) · --10m (adds 10,000,000; ~10 GB of RAM and disk) · --quantization f16|i8 ·
 * --sample N photos for the recall (2,000) · --dir D for the index files (the OS temp dir; deleted after each size).
 */
export async function run(args: string[]): Promise<void> {
  const { flags } = parseArgs(args);
  const sizes = intListFlag(flags, 'sizes', [250_000, 1_000_000], { min: 1000 });
  if (flags['10m']) sizes.push(10_000_000);
  if (sizes.some((s) => !Number.isInteger(s) || s < 1000))
    throw new Error('--sizes: integers ≥ 1000, comma-separated');
  const quantization = (flags.quantization ?? 'f16') as AnnQuantization;
  if (quantization !== 'f16' && quantization !== 'i8') throw new Error('--quantization: f16 or i8');
  const dir = typeof flags.dir === 'string' ? flags.dir : tmpdir();
  const sample = intFlag(flags, 'sample', 2000, { min: 1 });
  for (const size of sizes) {
    const lines = await benchSize(size, quantization, dir, sample);
    console.log(`\n${lines.join('\n')}`);
  }
  console.log(
    `(machine load ${loadavg()[0].toFixed(1)} on ${2} cores at the end; peak RSS is the process's, all sizes so far)`,
  );
}
