// Benchmark: near-duplicate search over 10M random 64-bit hashes with 10,000 planted pairs (time, peak memory, recall).
import { buildIndex, indexBytes, planIndex, selfJoin, type HashColumns } from '../../pipeline/checks/dedupIndex.ts';
import { NEAR_DUPLICATE_DISTANCE } from '../../pipeline/checks/duplicateConfig.ts';
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
}
