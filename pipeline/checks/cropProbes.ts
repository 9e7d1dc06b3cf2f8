// Bucket-ordered probing of one crop-index table: a batch's probes are counting-sorted by bucket, then each bucket's entries meet all of its probes at once.
import { WEAK_PER_KEY } from '../fingerprints/cropHash.ts';
import { substringKey, type MihIndex } from './dedupIndex.ts';
import { popcount32 } from '../fingerprints/phash.ts';

export type CropTable = MihIndex['tables'][number];

/** A batch of window hashes to look up, as columns: `owner` is the photo (index position) each belongs to. */
export type WindowColumns = {
  count: number;
  hi: Uint32Array;
  lo: Uint32Array;
  weakHi: Uint32Array;
  weakLo: Uint32Array;
  owner: Uint32Array;
  window: Uint8Array;
};

export type CropSink = (original: number, crop: number, distance: number, window: number) => void;

/** Probes are first split by the top GROUP_BITS of their bucket: one group's slice of a table fits in the L2 cache. */
const GROUP_BITS = 11;
/** A probe is packed as (window << shift) | low bucket bits, shift ≤ 11 for 22-bit keys: 2^21 windows fit. */
export const MAX_PASS_WINDOWS = 1 << 21;

/** Scratch space reused across batches: the probes of one pass (≤ MAX_PASS_WINDOWS windows) and one group. */
export type ProbeScratch = {
  packed: Int32Array;
  words: Int32Array;
  starts: Uint32Array;
  cursor: Uint32Array;
  ends: Uint32Array;
  groupWindow: Uint32Array;
  groupWord: Int32Array;
  flips: Int32Array;
};

/** Room for passes of up to `windows` windows (at most MAX_PASS_WINDOWS) with `weakBits` weak bits. */
export function probeScratch(windows: number, weakBits: number): ProbeScratch {
  const probes = Math.max(1, Math.min(windows, MAX_PASS_WINDOWS)) << weakBits;
  return {
    packed: new Int32Array(probes),
    words: new Int32Array(probes),
    starts: new Uint32Array((1 << GROUP_BITS) + 1),
    cursor: new Uint32Array(1 << GROUP_BITS),
    ends: new Uint32Array(1 << 12),
    groupWindow: new Uint32Array(1024),
    groupWord: new Int32Array(1024),
    flips: new Int32Array(1 << WEAK_PER_KEY),
  };
}

/** The key bits of a table inside each 32-bit half (bit 0 of the hash = MSB of hi). */
function keyMasks(start: number, bits: number): [hi: number, lo: number] {
  let hi = 0;
  let lo = 0;
  for (let b = start; b < start + bits; b++) {
    if (b < 32) hi |= 1 << (31 - b);
    else lo |= 1 << (63 - b);
  }
  return [hi, lo];
}

/**
 * A 32-bit word of non-key bits to reject most candidates with one popcount: the half holding fewer key bits,
 * its key bits replaced by the other half's bits at the same places when those are not key bits. Every bit in
 * it is a distinct bit of the hash, so its distance never exceeds the full one and the filter is exact.
 */
function filterWord(start: number, bits: number): { hiFirst: boolean; fill: number } {
  const [hi, lo] = keyMasks(start, bits);
  const hiFirst = popcount32(hi) <= popcount32(lo);
  const own = hiFirst ? hi : lo;
  const other = hiFirst ? lo : hi;
  return { hiFirst, fill: (own & other) === 0 ? own : 0 };
}

/** The XOR mask of the n-th weak bit of key t in window q; 0 when the offset lies past the key (see fillFlips). */
function weakMask(weakHi: number, weakLo: number, t: number, n: number, bits: number): number {
  const s = t * WEAK_PER_KEY + n;
  const off = s < 6 ? (weakLo >>> (5 * s)) & 31 : (weakHi >>> (5 * (s - 6))) & 31;
  return off < bits ? 1 << (bits - 1 - off) : 0;
}

/**
 * The XOR masks taking window q's key to its probed buckets: every subset of its first `weakBits` weak bits in
 * key t. Returns how many there are. An offset past the key (never stored by cropHash.ts) wraps the shift to
 * a bit above the key, so those probes fall outside the table and find nothing: they are left out.
 */
function fillFlips(
  w: WindowColumns,
  q: number,
  t: number,
  bits: number,
  weakBits: number,
  flips: Int32Array,
): number {
  const weakHi = w.weakHi[q];
  const weakLo = w.weakLo[q];
  if (weakBits === 4) {
    const a = weakMask(weakHi, weakLo, t, 0, bits);
    const b = weakMask(weakHi, weakLo, t, 1, bits);
    const c = weakMask(weakHi, weakLo, t, 2, bits);
    const d = weakMask(weakHi, weakLo, t, 3, bits);
    if (a !== 0 && b !== 0 && c !== 0 && d !== 0) {
      flips[0] = 0;
      flips[1] = a;
      flips[2] = b;
      flips[3] = a ^ b;
      flips[4] = c;
      flips[5] = c ^ a;
      flips[6] = c ^ b;
      flips[7] = c ^ a ^ b;
      for (let f = 0; f < 8; f++) flips[8 + f] = flips[f] ^ d;
      return 16;
    }
  }
  let n = 1;
  flips[0] = 0;
  for (let k = 0; k < weakBits; k++) {
    const bit = weakMask(weakHi, weakLo, t, k, bits);
    if (bit === 0) continue;
    for (let f = 0; f < n; f++) flips[n + f] = flips[f] ^ bit;
    n *= 2;
  }
  return n;
}

/**
 * Every (window in [from, to), full frame) pair reached in table `t` by flipping any subset of the window's
 * first `weakBits` weak bits in that key, within `radius` over all 64 bits, goes to the sink (window owner,
 * frame, distance, window), unless the frame is the owner or skipped. Returns the number of bucket probes.
 */
export function probeTable(
  table: CropTable,
  t: number,
  w: WindowColumns,
  from: number,
  to: number,
  o: { radius: number; weakBits: number; skip?: Uint8Array },
  s: ProbeScratch,
  sink: CropSink,
): number {
  const { start, bits } = table;
  const shift = bits - GROUP_BITS;
  const low = (1 << shift) - 1;
  const { packed, words, starts, cursor, flips } = s;
  const { hiFirst, fill } = filterWord(start, bits);
  const wa = hiFirst ? w.hi : w.lo;
  const wb = hiFirst ? w.lo : w.hi;
  starts.fill(0);
  for (let q = from; q < to; q++) {
    const fan = fillFlips(w, q, t, bits, o.weakBits, flips);
    const key = substringKey(w.hi[q], w.lo[q], start, bits);
    for (let f = 0; f < fan; f++) starts[((key ^ flips[f]) >>> shift) + 1]++;
  }
  for (let g = 0; g < 1 << GROUP_BITS; g++) starts[g + 1] += starts[g];
  cursor.set(starts.subarray(0, 1 << GROUP_BITS));
  for (let q = from; q < to; q++) {
    const fan = fillFlips(w, q, t, bits, o.weakBits, flips);
    const key = substringKey(w.hi[q], w.lo[q], start, bits);
    const tag = (q - from) << shift;
    const word = (wa[q] & ~fill) | (wb[q] & fill);
    for (let f = 0; f < fan; f++) {
      const b = key ^ flips[f];
      const at = cursor[b >>> shift]++;
      packed[at] = tag | (b & low);
      words[at] = word;
    }
  }
  for (let g = 0; g < 1 << GROUP_BITS; g++) {
    if (starts[g + 1] > starts[g]) probeGroup(table, g, shift, fill, hiFirst, w, from, o, s, sink);
  }
  return starts[1 << GROUP_BITS];
}

/** One group: counting sort of its probes by bucket, then per bucket each entry against each probe. */
function probeGroup(
  table: CropTable,
  g: number,
  shift: number,
  fill: number,
  hiFirst: boolean,
  w: WindowColumns,
  from: number,
  o: { radius: number; skip?: Uint8Array },
  s: ProbeScratch,
  sink: CropSink,
): void {
  const { offsets, ids, hashes: h } = table;
  const { packed, words, starts, ends } = s;
  const low = (1 << shift) - 1;
  const s0 = starts[g];
  const s1 = starts[g + 1];
  if (s.groupWindow.length < s1 - s0) {
    s.groupWindow = new Uint32Array(2 * (s1 - s0));
    s.groupWord = new Int32Array(2 * (s1 - s0));
  }
  const gq = s.groupWindow;
  const gw = s.groupWord;
  ends.fill(0, 0, low + 2);
  for (let i = s0; i < s1; i++) ends[(packed[i] & low) + 1]++;
  for (let k = 0; k <= low; k++) ends[k + 1] += ends[k];
  for (let i = s0; i < s1; i++) {
    const v = packed[i];
    const at = ends[v & low]++;
    gq[at] = from + (v >>> shift);
    gw[at] = words[i];
  }
  // ends[k] now closes bucket k's probes, which open where bucket k - 1's closed.
  const r = o.radius;
  const skip = o.skip;
  const base = g << shift;
  let ps = 0;
  for (let k = 0; k <= low; k++) {
    const pe = ends[k];
    if (pe === ps) continue;
    const b = base + k;
    const e = offsets[b + 1];
    for (let p = offsets[b]; p < e; p++) {
      const hi = h[2 * p];
      const lo = h[2 * p + 1];
      const word = hiFirst ? (hi & ~fill) | (lo & fill) : (lo & ~fill) | (hi & fill);
      for (let i = ps; i < pe; i++) {
        if (popcount32(gw[i] ^ word) > r) continue;
        const q = gq[i];
        const d = popcount32(w.hi[q] ^ hi) + popcount32(w.lo[q] ^ lo);
        if (d > r) continue;
        const j = ids[p];
        const owner = w.owner[q];
        if (j !== owner && !(skip && skip[j])) sink(owner, j, d, w.window[q]);
      }
    }
    ps = pe;
  }
}
