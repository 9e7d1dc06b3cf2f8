// Multi-index hashing (Norouzi et al., 2012) over 64-bit hashes: finds every pair within a Hamming radius without comparing all pairs.
import { popcount32 } from '../fingerprints/phash.ts';

/**
 * Memory: the hashes themselves (8 B/photo) plus, per substring table, a bucket-ordered copy of ids and
 * hashes (12 B/photo) and a bucket offset array (4 B × 2^bits). With 3 tables at 10M photos that is
 * 8 + 3 × 12 = 44 MB per million photos, plus 32 MB of offsets: about 470 MB for ten million.
 */
export const BYTES_PER_PHOTO_PER_TABLE = 12;

export type HashColumns = { hi: Uint32Array; lo: Uint32Array; count: number };

/** One substring of the 64 bits, counted from the most significant bit, searched within `radius`. */
export type Substring = { start: number; bits: number; radius: number };
export type MihPlan = { radius: number; substrings: Substring[] };

/** Ids and hashes in bucket order; `hashes` interleaves hi, lo so a bucket's hashes share cache lines. */
type Table = Substring & { offsets: Uint32Array; ids: Uint32Array; hashes: Int32Array; masks: Int32Array };
export type MihIndex = { plan: MihPlan; hashes: HashColumns; tables: Table[] };

/**
 * Splits 64 bits into m substrings of about log2(N) bits each, so buckets hold a handful of photos.
 * If two hashes are within r, some substring k is within r' = ⌊r/m⌋ for k ≤ r mod m, or r'−1 for the
 * others (pigeonhole), so only those small neighbourhoods are probed; tables with a negative radius are dropped.
 */
export function planIndex(count: number, radius: number, substrings?: number): MihPlan {
  const m = substrings ?? Math.min(16, Math.max(3, Math.round(64 / Math.log2(Math.max(count, 4)))));
  if (m < 3 || m > 64) throw new Error('substrings must be 3..64 (bucket keys are at most 22 bits)');
  const base = Math.floor(radius / m);
  const extra = radius - base * m;
  const all: Substring[] = [];
  let start = 0;
  for (let k = 0; k < m; k++) {
    const bits = Math.floor(64 / m) + (k < 64 % m ? 1 : 0);
    // The wider substrings (listed first) take the larger radius: their buckets are smaller, so probing costs less.
    all.push({ start, bits, radius: k <= extra ? base : base - 1 });
    start += bits;
  }
  return { radius, substrings: all.filter((s) => s.radius >= 0) };
}

/** The bits [start, start+bits) of a 64-bit hash (bit 0 = MSB of hi) as an unsigned integer. */
export function substringKey(hi: number, lo: number, start: number, bits: number): number {
  const mask = bits >= 32 ? 0xffffffff : (1 << bits) - 1;
  const end = start + bits;
  if (end <= 32) return ((hi >>> (32 - end)) & mask) >>> 0;
  if (start >= 32) return ((lo >>> (64 - end)) & mask) >>> 0;
  const lowBits = end - 32;
  const high = hi & ((1 << (32 - start)) - 1);
  return ((high << lowBits) | (lo >>> (32 - lowBits))) >>> 0;
}

/** All masks over `bits` bits with 1..radius bits set: the XORs that reach a bucket's neighbours. */
function neighbourMasks(bits: number, radius: number): Int32Array {
  const out: number[] = [];
  const walk = (from: number, mask: number, left: number) => {
    for (let b = from; b < bits; b++) {
      const m = mask | (1 << b);
      out.push(m);
      if (left > 1) walk(b + 1, m, left - 1);
    }
  };
  if (radius > 0) walk(0, 0, radius);
  return Int32Array.from(out);
}

function buildTable(hashes: HashColumns, s: Substring): Table {
  const size = 2 ** s.bits;
  const offsets = new Uint32Array(size + 1);
  const { hi, lo, count } = hashes;
  for (let i = 0; i < count; i++) offsets[substringKey(hi[i], lo[i], s.start, s.bits) + 1]++;
  for (let b = 0; b < size; b++) offsets[b + 1] += offsets[b];
  const cursor = offsets.slice(0, size);
  const ids = new Uint32Array(count);
  const sorted = new Int32Array(count * 2);
  // Counting sort keeps ids ascending within a bucket and lays buckets out contiguously for sequential scans.
  for (let i = 0; i < count; i++) {
    const p = cursor[substringKey(hi[i], lo[i], s.start, s.bits)]++;
    ids[p] = i;
    sorted[2 * p] = hi[i];
    sorted[2 * p + 1] = lo[i];
  }
  return { ...s, offsets, ids, hashes: sorted, masks: neighbourMasks(s.bits, s.radius) };
}

export function buildIndex(hashes: HashColumns, plan: MihPlan): MihIndex {
  return { plan, hashes, tables: plan.substrings.map((s) => buildTable(hashes, s)) };
}

export function indexBytes(index: MihIndex): number {
  let bytes = index.hashes.count * 8;
  for (const t of index.tables) bytes += t.offsets.byteLength + t.ids.byteLength + t.hashes.byteLength;
  return bytes;
}

export type PairSink = (i: number, j: number, distance: number) => void;

/**
 * Reports every pair i < j with Hamming distance ≤ plan.radius exactly once. Each table visits bucket pairs
 * (b, b') with b' ≥ b only, and a pair is reported by the first table whose neighbourhood contains it.
 * The neighbour loop runs mask-outer, bucket-inner: b ^ mask then walks memory nearly sequentially, which
 * keeps the scan bandwidth-bound instead of paying a cache miss per probed bucket.
 */
export function selfJoin(index: MihIndex, onPair: PairSink): number {
  const { tables, plan, hashes } = index;
  let found = 0;
  const earlierTableFinds = (t: number, i: number, j: number): boolean => {
    for (let k = 0; k < t; k++) {
      const tk = tables[k];
      const d = popcount32(
        substringKey(hashes.hi[i], hashes.lo[i], tk.start, tk.bits) ^
          substringKey(hashes.hi[j], hashes.lo[j], tk.start, tk.bits),
      );
      if (d <= tk.radius) return true;
    }
    return false;
  };
  const emit = (t: number, a: number, b: number, d: number) => {
    const i = a < b ? a : b;
    const j = a < b ? b : a;
    if (t > 0 && earlierTableFinds(t, i, j)) return;
    found++;
    onPair(i, j, d);
  };
  for (let t = 0; t < tables.length; t++) {
    const table = tables[t];
    const sink = (p: number, q: number, d: number) => emit(t, table.ids[p], table.ids[q], d);
    scanWithin(table, plan.radius, sink);
    for (let k = 0; k < table.masks.length; k++) scanAcross(table, table.masks[k], plan.radius, sink);
  }
  return found;
}

function scanWithin(table: Table, r: number, sink: (p: number, q: number, d: number) => void): void {
  const { offsets, hashes: h } = table;
  const buckets = offsets.length - 1;
  for (let b = 0; b < buckets; b++) {
    const e = offsets[b + 1];
    for (let p = offsets[b]; p < e; p++) {
      const ph = h[2 * p];
      const pl = h[2 * p + 1];
      for (let q = p + 1; q < e; q++) {
        const dh = popcount32(ph ^ h[2 * q]);
        if (dh > r) continue;
        const d = dh + popcount32(pl ^ h[2 * q + 1]);
        if (d <= r) sink(p, q, d);
      }
    }
  }
}

function scanAcross(
  table: Table,
  mask: number,
  r: number,
  sink: (p: number, q: number, d: number) => void,
): void {
  const { offsets, hashes: h } = table;
  const buckets = offsets.length - 1;
  if (table.ids.length * 8 < buckets) {
    scanSparse(table, mask, r, sink);
    return;
  }
  // b ^ mask > b exactly when b has a 0 at the mask's highest bit: visit only those runs of buckets.
  const top = 2 ** (31 - Math.clz32(mask));
  for (let run = 0; run < buckets; run += 2 * top) {
    const end = run + top;
    for (let b = run; b < end; b++) {
      const s = offsets[b];
      const e = offsets[b + 1];
      if (s === e) continue;
      const nb = (b ^ mask) >>> 0;
      const ns = offsets[nb];
      const ne = offsets[nb + 1];
      for (let p = s; p < e; p++) {
        const ph = h[2 * p];
        const pl = h[2 * p + 1];
        for (let q = ns; q < ne; q++) {
          // Unrelated hashes already differ in more than r bits of the high half: skip the low half.
          const dh = popcount32(ph ^ h[2 * q]);
          if (dh > r) continue;
          const d = dh + popcount32(pl ^ h[2 * q + 1]);
          if (d <= r) sink(p, q, d);
        }
      }
    }
  }
}

/** For tables much larger than the data (small runs), walk only the occupied buckets. */
function scanSparse(
  table: Table,
  mask: number,
  r: number,
  sink: (p: number, q: number, d: number) => void,
): void {
  const { offsets, hashes: h, ids } = table;
  let b = -1;
  for (let p0 = 0; p0 < ids.length; p0 = offsets[b + 1]) {
    b = substringKey(h[2 * p0] >>> 0, h[2 * p0 + 1] >>> 0, table.start, table.bits);
    const nb = (b ^ mask) >>> 0;
    if (nb <= b) continue;
    const e = offsets[b + 1];
    const ns = offsets[nb];
    const ne = offsets[nb + 1];
    for (let p = p0; p < e; p++) {
      for (let q = ns; q < ne; q++) {
        const d = popcount32(h[2 * p] ^ h[2 * q]) + popcount32(h[2 * p + 1] ^ h[2 * q + 1]);
        if (d <= r) sink(p, q, d);
      }
    }
  }
}
