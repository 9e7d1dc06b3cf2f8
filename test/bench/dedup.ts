// Benchmark: near-duplicate search over 10M random 64-bit hashes with 10,000 planted pairs, then the crop search with 10,000 planted crops (time, peak memory, recall).
import { createHash } from 'node:crypto';
import { loadavg } from 'node:os';
import {
  buildIndex,
  indexBytes,
  planIndex,
  selfJoin,
  type HashColumns,
} from '../../pipeline/checks/dedupIndex.ts';
import { CROP_KEYS, CROP_WINDOWS, WEAK_PER_KEY, weakOffset } from '../../pipeline/fingerprints/cropHash.ts';
import { cropPairCollector, type WindowColumns } from '../../pipeline/checks/cropSearch.ts';
import { BATCH_WINDOWS, startCropSearch } from '../../pipeline/checks/cropSearchPool.ts';
import {
  CROP_SEARCH_DISTANCE,
  CROP_WEAK_BITS,
  NEAR_DUPLICATE_DISTANCE,
} from '../../pipeline/checks/duplicateConfig.ts';
import { parseArgs } from '../../pipeline/cli/withDatabase.ts';
import { intFlag } from './lib/benchFlags.ts';

/** `npm run bench -- dedup --help` prints these; any other flag is refused (test/bench/index.ts). */
export const usage = 'duplicate and crop detection at scale';
export const flags: Record<string, string> = {
  hashes: 'N hashes (10000000)',
  pairs: 'N planted pairs (10000)',
  radius: 'Hamming radius R',
  only: 'dedup or crop',
  'crop-photos': 'probe the windows of the first N photos only',
  'crop-weak': 'weak-bits B',
  'crop-batch': 'crop probe batch size',
  threads: 'N threads',
};

const TIME_BUDGET = 120;
const MEMORY_BUDGET = 2 ** 31;

/** xorshift128: fast, seedable, good enough to fill 80 MB with random bits. State in an Int32Array: no boxed numbers. */
function random32(seed: number): (() => number) & { state: Int32Array } {
  const s = Int32Array.of(seed || 1, 362436069, 521288629, 88675123);
  return Object.assign(
    () => {
      const t = s[0] ^ (s[0] << 11);
      s[0] = s[1];
      s[1] = s[2];
      s[2] = s[3];
      s[3] = s[3] ^ (s[3] >>> 19) ^ (t ^ (t >>> 8));
      return s[3] >>> 0;
    },
    { state: s },
  );
}

/**
 * Peak RSS (worker threads included) sampled while `fn` runs, whenever the main thread is free, and the CPU
 * seconds of all threads: on a shared machine, CPU time below cores × wall time means we were not running.
 */
async function measured<T>(fn: () => Promise<T> | T): Promise<{ result: T; peak: number; cpu: number }> {
  let peak = process.memoryUsage().rss;
  const sampler = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 50);
  const cpu0 = process.cpuUsage();
  try {
    const result = await fn();
    const cpu = process.cpuUsage(cpu0);
    return { result, peak: Math.max(peak, process.memoryUsage().rss), cpu: (cpu.user + cpu.system) / 1e6 };
  } finally {
    clearInterval(sampler);
  }
}

type Figures = {
  label: string;
  seconds: number;
  cpu: number;
  peak: number;
  found: number;
  planted: number;
  extra: string;
};

const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
const int = (n: number) => n.toLocaleString('en-US');
const budget = (f: Figures) =>
  `${f.seconds.toFixed(1)} s (${(f.seconds / TIME_BUDGET).toFixed(2)}× ${TIME_BUDGET} s; CPU ${f.cpu.toFixed(0)} s) · peak RSS ${mb(f.peak)} (${(f.peak / MEMORY_BUDGET).toFixed(2)}× 2048 MB) · planted ${f.found}/${f.planted}${f.found === f.planted ? '' : ' MISSED SOME'}`;

/**
 * Flags: --hashes N (10M) · --pairs N planted (10,000) · --radius R · --only dedup|crop · --crop-photos N (probe the
 * windows of the first N photos only, against all N hashes: for quick iterations) · --crop-weak B · --crop-batch
 * W windows per batch · --threads T crop workers (0: in the main thread).
 */
export async function run(args: string[]): Promise<void> {
  const { flags } = parseArgs(args);
  const count = intFlag(flags, 'hashes', 10_000_000, { min: 2 });
  const planted = intFlag(flags, 'pairs', 10_000, { min: 0 });
  const only = flags.only;
  // Every value is read before the first part runs: a bad --crop-batch must not wait for minutes of part 1.
  const radius = intFlag(flags, 'radius', NEAR_DUPLICATE_DISTANCE, { min: 0, max: 63 });
  const photos = Math.min(count, intFlag(flags, 'crop-photos', count, { min: 1 }));
  const threads = intFlag(flags, 'threads', undefined, { min: 0 });
  const batch = intFlag(flags, 'crop-batch', undefined, { min: 1 });
  const weak = intFlag(flags, 'crop-weak', CROP_WEAK_BITS, { min: 0 });
  const figures: Figures[] = [];
  if (only !== 'crop') figures.push(await nearDuplicates(count, planted, radius));
  if (only !== 'dedup') {
    figures.push(
      await cropSearch(count, photos, Math.min(planted, photos), weak, { threads, capacity: batch }),
    );
  }
  console.log(`summary at ${int(count)} photos (machine load ${loadavg()[0].toFixed(1)} at the end):`);
  for (const f of figures) console.log(`  ${f.label.padEnd(28)} ${budget(f)}${f.extra}`);
  if (figures.some((f) => f.found !== f.planted)) process.exitCode = 1;
}

function flipBits(hi: number, lo: number, count: number, next: () => number): [number, number] {
  const used = new Set<number>();
  while (used.size < count) used.add(next() % 64);
  for (const b of used) {
    if (b < 32) hi = (hi ^ (1 << b)) >>> 0;
    else lo = (lo ^ (1 << (b - 32))) >>> 0;
  }
  return [hi, lo];
}

/** Part 1, the acceptance target: every pair within the pHash radius among 10M hashes. */
async function nearDuplicates(count: number, planted: number, radius: number): Promise<Figures> {
  const next = random32(12345);
  const started = performance.now();
  const hashes: HashColumns = { hi: new Uint32Array(count), lo: new Uint32Array(count), count };
  for (let i = 0; i < count; i++) {
    hashes.hi[i] = next();
    hashes.lo[i] = next();
  }
  // Each planted pair: a random photo and a copy of it at distance 0..radius, placed at a random other slot.
  const pairs: [number, number][] = [];
  const taken = new Set<number>();
  while (pairs.length < planted) {
    const a = next() % count;
    const b = next() % count;
    if (a === b || taken.has(a) || taken.has(b)) continue;
    taken.add(a);
    taken.add(b);
    [hashes.hi[b], hashes.lo[b]] = flipBits(hashes.hi[a], hashes.lo[a], pairs.length % (radius + 1), next);
    pairs.push(a < b ? [a, b] : [b, a]);
  }
  const generated = performance.now();
  const plan = planIndex(count, radius);
  const { result, peak, cpu } = await measured(() => {
    const index = buildIndex(hashes, plan);
    const built = performance.now();
    const found = new Set<number>();
    const total = selfJoin(index, (i, j) => {
      found.add(i * count + j);
    });
    return { built, found, total, bytes: indexBytes(index) };
  });
  const joined = performance.now();
  const recovered = pairs.filter(([a, b]) => result.found.has(a * count + b)).length;
  const seconds = (joined - generated) / 1000;
  console.log(
    `part 1, near-duplicate self-join: ${int(count)} hashes, radius ${radius}, ${plan.substrings.length} tables (${plan.substrings.map((s) => `${s.bits}b r${s.radius}`).join(', ')})`,
  );
  console.log(
    `  generate ${((generated - started) / 1000).toFixed(1)} s (not counted) · build ${((result.built - generated) / 1000).toFixed(1)} s · search ${((joined - result.built) / 1000).toFixed(1)} s · total ${seconds.toFixed(1)} s`,
  );
  console.log(
    `  pairs within radius ${int(result.total)} · planted found ${recovered}/${planted} · index ${mb(result.bytes)} (${mb(result.bytes / (count / 1e6))} per million photos)`,
  );
  return { label: 'part 1 near-duplicate join', seconds, cpu, peak, found: recovered, planted, extra: '' };
}

const flipBit = (h: [number, number], bit: number) => {
  if (bit < 32) h[0] = (h[0] ^ (1 << (31 - bit))) >>> 0;
  else h[1] = (h[1] ^ (1 << (63 - bit))) >>> 0;
};

/** For each key, 1024 random sets of four distinct weak offsets, as their bits in the packed (hi, lo) of cropHash.ts. */
function weakPatterns(next: () => number): { hi: Int32Array; lo: Int32Array }[] {
  return CROP_KEYS.map((k, key) => {
    const hi = new Int32Array(1024);
    const lo = new Int32Array(1024);
    for (let p = 0; p < 1024; p++) {
      const picked: number[] = [];
      while (picked.length < WEAK_PER_KEY) {
        const o = next() % k.bits;
        if (!picked.includes(o)) picked.push(o);
      }
      picked.forEach((o, n) => {
        const slot = key * WEAK_PER_KEY + n;
        if (slot < 6) lo[p] |= o << (5 * slot);
        else hi[p] |= o << (5 * (slot - 6));
      });
    }
    return { hi, lo };
  });
}

/**
 * Windows [from, to) get random hashes and random weak offsets (one of 1024 sets per key): three draws of
 * random32, its steps written out on locals because this runs 90M times and must stay small next to the search.
 */
function randomWindows(
  w: WindowColumns,
  from: number,
  to: number,
  state: Int32Array,
  weak: { hi: Int32Array; lo: Int32Array }[],
): void {
  let [x, y, z, v] = state;
  const [k0, k1, k2] = weak;
  for (let q = from; q < to; q++) {
    let t = x ^ (x << 11);
    x = y;
    y = z;
    z = v;
    v = v ^ (v >>> 19) ^ (t ^ (t >>> 8));
    w.hi[q] = v;
    t = x ^ (x << 11);
    x = y;
    y = z;
    z = v;
    v = v ^ (v >>> 19) ^ (t ^ (t >>> 8));
    w.lo[q] = v;
    t = x ^ (x << 11);
    x = y;
    y = z;
    z = v;
    v = v ^ (v >>> 19) ^ (t ^ (t >>> 8));
    const a = v & 1023;
    const b = (v >>> 10) & 1023;
    const c = (v >>> 20) & 1023;
    w.weakHi[q] = k0.hi[a] | k1.hi[b] | k2.hi[c];
    w.weakLo[q] = k0.lo[a] | k1.lo[b] | k2.lo[c];
  }
  state.set([x, y, z, v]);
}

/** Turns window q into a findable crop of `frame`: 2 weak bits of every key flipped plus one non-weak bit (distance 7). */
function plantCrop(w: WindowColumns, q: number, frame: [number, number], extraBit: number): void {
  const weak = { hi: w.weakHi[q], lo: w.weakLo[q] };
  const isWeak = (bit: number) =>
    CROP_KEYS.some((key, t) =>
      Array.from({ length: WEAK_PER_KEY }, (_, n) => key.start + weakOffset(weak, t, n)).includes(bit),
    );
  const h = frame;
  CROP_KEYS.forEach((key, t) => {
    for (const n of [0, 1]) flipBit(h, key.start + weakOffset(weak, t, n));
  });
  let other = extraBit;
  while (isWeak(other)) other = (other + 1) % 64;
  flipBit(h, other);
  [w.hi[q], w.lo[q]] = h;
}

/**
 * Part 2: an index over `count` random full-frame crop hashes, probed by 9 random window hashes for each of the
 * first `photos` photos, generated batch by batch in the main thread while the workers probe (as the duplicate
 * step streams them from the database). Each planted crop is a window that differs from another photo's frame
 * in 2 weak bits of every key plus one ordinary bit: distance 7, findable.
 */
async function cropSearch(
  count: number,
  photos: number,
  planted: number,
  weakBits: number,
  opts: { threads?: number; capacity?: number },
): Promise<Figures> {
  const next = random32(54321);
  const full: HashColumns = { hi: new Uint32Array(count), lo: new Uint32Array(count), count };
  for (let i = 0; i < count; i++) {
    full.hi[i] = next();
    full.lo[i] = next();
  }
  // Drawn up front, so that the windows do not depend on where batches end.
  const plantAt = new Map<number, { crop: number; window: number; extraBit: number }>();
  while (plantAt.size < planted) {
    const a = next() % photos;
    const b = next() % count;
    if (a !== b && !plantAt.has(a))
      plantAt.set(a, { crop: b, window: next() % CROP_WINDOWS.length, extraBit: next() % 64 });
  }
  const plantOwners = [...plantAt.keys()].sort((a, b) => a - b);
  const weak = weakPatterns(next);
  const k = CROP_WINDOWS.length;
  const collect = cropPairCollector();
  let generating = 0;
  let built = 0;
  const started = performance.now();
  const {
    result: probes,
    peak,
    cpu,
  } = await measured(async () => {
    const search = await startCropSearch(
      full,
      { radius: CROP_SEARCH_DISTANCE, weakBits },
      collect.sink,
      opts,
    );
    built = performance.now();
    let w = await search.next();
    let g0 = performance.now();
    let nextPlant = 0;
    for (let i = 0; i < photos; ) {
      // Whole photos per batch, as the duplicate step fills them.
      const upto = Math.min(photos, i + Math.floor((w.hi.length - w.count) / k));
      if (upto === i) {
        generating += performance.now() - g0;
        search.submit(w);
        w = await search.next();
        g0 = performance.now();
        continue;
      }
      randomWindows(w, w.count, w.count + (upto - i) * k, next.state, weak);
      for (let p = i; p < upto; p++) {
        for (let win = 0; win < k; win++) {
          w.owner[w.count + (p - i) * k + win] = p;
          w.window[w.count + (p - i) * k + win] = win;
        }
      }
      for (; nextPlant < plantOwners.length && plantOwners[nextPlant] < upto; nextPlant++) {
        const owner = plantOwners[nextPlant];
        const plant = plantAt.get(owner)!;
        plantCrop(
          w,
          w.count + (owner - i) * k + plant.window,
          [full.hi[plant.crop], full.lo[plant.crop]],
          plant.extraBit,
        );
      }
      w.count += (upto - i) * k;
      i = upto;
    }
    generating += performance.now() - g0;
    search.submit(w);
    return search.finish();
  });
  const done = performance.now();
  const pairs = collect.pairs();
  const found = new Set(pairs.map(([i, j]) => `${i}:${j}`));
  const digest = createHash('sha1')
    .update(
      pairs
        .map(([i, j, d]) => `${i}:${j}:${d}`)
        .sort()
        .join(','),
    )
    .digest('hex')
    .slice(0, 10);
  const recovered = [...plantAt].filter(([a, p]) => found.has(`${a}:${p.crop}`)).length;
  const seconds = (done - started) / 1000;
  const probing = (done - built) / 1000;
  const perMillion = seconds / (photos / 1e6);
  console.log(
    `part 2, crop search: ${int(photos)} photos × ${k} windows against ${int(count)} full-frame crop hashes, radius ${CROP_SEARCH_DISTANCE}, ${weakBits} weak bits per key (${3 * 2 ** weakBits * k} probes per photo), ${opts.threads ?? 'auto'} threads, batches of ${int(opts.capacity ?? BATCH_WINDOWS)} windows`,
  );
  console.log(
    `  index build ${((built - started) / 1000).toFixed(1)} s · probing ${probing.toFixed(1)} s (${((probing / probes) * 1e9).toFixed(1)} ns wall, ${((cpu / probes) * 1e9).toFixed(1)} ns CPU per probe) · window generation ${(generating / 1000).toFixed(1)} s in the main thread, overlapped with probing`,
  );
  console.log(
    `  candidates ${int(pairs.length)} (to verify on thumbnails; digest ${digest}, the same for any --threads and --crop-batch) · planted crops found ${recovered}/${planted} · ${(perMillion).toFixed(1)} s per million photos`,
  );
  const extra =
    photos < count
      ? ` · ${photos} of ${count} photos probed: ≈ ${(perMillion * (count / 1e6)).toFixed(0)} s for all`
      : '';
  return { label: 'part 2 crop search', seconds, cpu, peak, found: recovered, planted, extra };
}
