// Benchmark: near-duplicate search over 10M random 64-bit hashes with 10,000 planted pairs, then the crop search with 10,000 planted crops (time, peak memory, recall).
import { buildIndex, indexBytes, planIndex, selfJoin, type HashColumns } from '../../pipeline/checks/dedupIndex.ts';
import { CROP_KEYS, CROP_WINDOWS, WEAK_PER_KEY } from '../../pipeline/checks/cropHash.ts';
import { buildCropIndex, cropPairCollector, searchWindows, type WindowColumns } from '../../pipeline/checks/cropSearch.ts';
import { CROP_SEARCH_DISTANCE, CROP_WEAK_BITS, NEAR_DUPLICATE_DISTANCE } from '../../pipeline/checks/duplicateConfig.ts';
import { parseArgs } from '../../pipeline/cli/withDatabase.ts';

/** xorshift128: fast, seedable, good enough to fill 80 MB with random bits. */
function random32(seed: number) {
  let x = seed || 1, y = 362436069, z = 521288629, w = 88675123;
  return () => {
    const t = x ^ (x << 11);
    x = y; y = z; z = w;
    w = (w ^ (w >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return w;
  };
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

export async function run(args: string[]): Promise<void> {
  const { flags } = parseArgs(args);
  const count = Number(flags.hashes ?? 10_000_000);
  const planted = Number(flags.pairs ?? 10_000);
  const radius = Number(flags.radius ?? NEAR_DUPLICATE_DISTANCE);
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage().rss); }, 50);
  const next = random32(12345);
  const started = performance.now();
  const hashes: HashColumns = { hi: new Uint32Array(count), lo: new Uint32Array(count), count };
  for (let i = 0; i < count; i++) { hashes.hi[i] = next(); hashes.lo[i] = next(); }
  // Each planted pair: a random photo and a copy of it at distance 0..radius, placed at a random other slot.
  const pairs: [number, number][] = [];
  const taken = new Set<number>();
  while (pairs.length < planted) {
    const a = next() % count;
    const b = next() % count;
    if (a === b || taken.has(a) || taken.has(b)) continue;
    taken.add(a); taken.add(b);
    [hashes.hi[b], hashes.lo[b]] = flipBits(hashes.hi[a], hashes.lo[a], pairs.length % (radius + 1), next);
    pairs.push(a < b ? [a, b] : [b, a]);
  }
  const generated = performance.now();
  const plan = planIndex(count, radius);
  const index = buildIndex(hashes, plan);
  const built = performance.now();
  const found = new Set<number>();
  const key = (i: number, j: number) => i * count + j;
  const total = selfJoin(index, (i, j) => { found.add(key(i, j)); });
  const joined = performance.now();
  clearInterval(sampler);
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
  const recovered = pairs.filter(([a, b]) => found.has(key(a, b))).length;
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
  const seconds = (joined - generated) / 1000;
  console.log(`dedup: ${count.toLocaleString('en-US')} hashes, radius ${radius}, ${plan.substrings.length} tables (${plan.substrings.map((s) => `${s.bits}b r${s.radius}`).join(', ')})`);
  console.log(`  generate ${((generated - started) / 1000).toFixed(1)} s · build ${((built - generated) / 1000).toFixed(1)} s · search ${((joined - built) / 1000).toFixed(1)} s · total ${seconds.toFixed(1)} s (target < 120 s: ${(seconds / 120).toFixed(2)}× the budget)`);
  console.log(`  pairs within radius: ${total.toLocaleString('en-US')} · planted found ${recovered}/${planted}${recovered === planted ? ' (all)' : ' (MISSED SOME)'}`);
  console.log(`  index ${mb(indexBytes(index))} (${mb(indexBytes(index) / (count / 1e6))} per million photos) · peak RSS ${mb(peakRss)} (target < 2048 MB: ${(peakRss / 2 ** 31).toFixed(2)}× the budget)`);
  if (recovered !== planted) process.exitCode = 1;
  await cropSearch(count, planted, Number(flags['crop-weak'] ?? CROP_WEAK_BITS), next, () => peakRss, (v) => { peakRss = v; });
}

/** Random weak-bit offsets (distinct per key, packed like cropHash.ts stores them). */
function randomWeak(next: () => number): [hi: number, lo: number, offsets: number[][]] {
  let hi = 0;
  let lo = 0;
  const offsets = CROP_KEYS.map((k, key) => {
    const picked: number[] = [];
    while (picked.length < WEAK_PER_KEY) { const o = next() % k.bits; if (!picked.includes(o)) picked.push(o); }
    picked.forEach((o, n) => { const slot = key * WEAK_PER_KEY + n; if (slot < 6) lo |= o << (5 * slot); else hi |= o << (5 * (slot - 6)); });
    return picked;
  });
  return [hi >>> 0, lo >>> 0, offsets];
}

const flipBit = (h: [number, number], bit: number) => { if (bit < 32) h[0] = (h[0] ^ (1 << (31 - bit))) >>> 0; else h[1] = (h[1] ^ (1 << (63 - bit))) >>> 0; };

/**
 * A second index over 10M random full-frame crop hashes, probed by 9 random window hashes per photo
 * generated page by page (as the duplicate step streams them). Each planted crop is a window that differs
 * from another photo's frame in 2 weak bits of every key plus one ordinary bit: distance 7, findable.
 */
async function cropSearch(count: number, planted: number, weakBits: number, next: () => number, peak: () => number, setPeak: (v: number) => void): Promise<void> {
  const sampler = setInterval(() => setPeak(Math.max(peak(), process.memoryUsage().rss)), 50);
  const started = performance.now();
  const full = { hi: new Uint32Array(count), lo: new Uint32Array(count), count };
  for (let i = 0; i < count; i++) { full.hi[i] = next(); full.lo[i] = next(); }
  const plants = new Map<number, { crop: number; window: number }>();
  while (plants.size < planted) {
    const a = next() % count;
    const b = next() % count;
    if (a !== b && !plants.has(a)) plants.set(a, { crop: b, window: next() % CROP_WINDOWS.length });
  }
  const index = buildCropIndex(full);
  const built = performance.now();
  const collect = cropPairCollector();
  const page = 10_000;
  const k = CROP_WINDOWS.length;
  const w: WindowColumns = { count: 0, hi: new Uint32Array(page * k), lo: new Uint32Array(page * k), weakHi: new Uint32Array(page * k), weakLo: new Uint32Array(page * k), owner: new Uint32Array(page * k), window: new Uint8Array(page * k) };
  let probes = 0;
  let generating = 0;
  for (let start = 0; start < count; start += page) {
    const g0 = performance.now();
    w.count = 0;
    for (let i = start; i < Math.min(count, start + page); i++) {
      const plant = plants.get(i);
      for (let win = 0; win < k; win++) {
        const q = w.count++;
        const [weakHi, weakLo, offsets] = randomWeak(next);
        const h: [number, number] = [next(), next()];
        if (plant?.window === win) {
          h[0] = full.hi[plant.crop]; h[1] = full.lo[plant.crop];
          CROP_KEYS.forEach((key, t) => { for (const o of offsets[t].slice(0, 2)) flipBit(h, key.start + o); });
          let other = next() % 64;
          while (CROP_KEYS.some((key, t) => offsets[t].includes(other - key.start))) other = (other + 1) % 64;
          flipBit(h, other);
        }
        w.hi[q] = h[0]; w.lo[q] = h[1]; w.weakHi[q] = weakHi; w.weakLo[q] = weakLo; w.owner[q] = i; w.window[q] = win;
      }
    }
    generating += performance.now() - g0;
    probes += searchWindows(index, w, { radius: CROP_SEARCH_DISTANCE, weakBits }, collect.sink);
  }
  const done = performance.now();
  clearInterval(sampler);
  setPeak(Math.max(peak(), process.memoryUsage().rss));
  const pairs = collect.pairs();
  const found = new Set(pairs.map(([i, j]) => `${i}:${j}`));
  const recovered = [...plants].filter(([a, p]) => found.has(`${a}:${p.crop}`)).length;
  const search = (done - built - generating) / 1000;
  const total = (done - started - generating) / 1000;
  const mb = (b: number) => `${(b / 2 ** 20).toFixed(0)} MB`;
  console.log(`crop search: ${count.toLocaleString('en-US')} full-frame crop hashes, ${k} windows per photo, radius ${CROP_SEARCH_DISTANCE}, ${weakBits} weak bits per key (${3 * 2 ** weakBits * k} probes per photo)`);
  console.log(`  build ${((built - started) / 1000).toFixed(1)} s · search ${search.toFixed(1)} s (${((search / count) * 1e9).toFixed(0)} ns per photo, ${((search / probes) * 1e9).toFixed(1)} ns per probe) · window generation ${(generating / 1000).toFixed(1)} s not counted`);
  console.log(`  candidates ${pairs.length.toLocaleString('en-US')} (to verify on thumbnails) · planted crops found ${recovered}/${planted}${recovered === planted ? ' (all)' : ' (MISSED SOME)'}`);
  console.log(`  crop search ${total.toFixed(1)} s = ${(total / (count / 1e6)).toFixed(1)} s per million photos · peak RSS of the whole run ${mb(peak())} (target < 2048 MB: ${(peak() / 2 ** 31).toFixed(2)}× the budget)`);
  if (recovered !== planted) process.exitCode = 1;
}
