// Crop hashes: a low-frequency DCT hash of the full frame and of sub-windows keeping one axis whole, each window with its least reliable bits.
import { CROP_HASH_LENGTH, CROP_WINDOW_COUNT } from '../../lib/domain/cropHashLayout.ts';
import type { Hash64 } from './phash.ts';
import { FULL_FRAME, lumaIntegral, windowGrid, type LumaIntegral, type Window } from './lumaWindows.ts';

const SIZE = 32;

/**
 * The 64 lowest DCT frequencies of a 32×32 grid in zig-zag order (u + v = 1, 2, …; DC skipped). Lower
 * frequencies than pHash's 8×8 block (u, v ≤ 8), so a window off by 1–2 % of the frame flips fewer bits:
 * measured on crop pairs, 2 % misalignment gives a median of 6 flipped bits instead of pHash's 8.
 */
const ZIGZAG: [u: number, v: number][] = (() => {
  const out: [number, number][] = [];
  for (let k = 1; out.length < 64; k++) for (let u = 0; u <= k && out.length < 64; u++) out.push([u, k - u]);
  return out;
})();
const MAX_FREQ = 1 + Math.max(...ZIGZAG.flat());
const ZIG_U = Int32Array.from(ZIGZAG, ([u]) => u);
const ZIG_V = Int32Array.from(ZIGZAG, ([, v]) => v);
const COS = (() => {
  const t = new Float64Array(MAX_FREQ * SIZE);
  for (let u = 0; u < MAX_FREQ; u++)
    for (let x = 0; x < SIZE; x++) t[u * SIZE + x] = Math.cos(((2 * x + 1) * u * Math.PI) / (2 * SIZE));
  return t;
})();

/**
 * The windows whose hashes are looked up among every photo's full-frame hash. Crops that remove up to 10 % of
 * the area mostly keep one axis whole: one side cut off (a re-framed upload) or a centred cut to another
 * aspect ratio (16:10 → 16:9, 3:2 → 16:10). So the windows keep one axis whole too: on each axis, 95.5 % of
 * it at the start, centre and end, and 91.5 % at the start and end (a centred 91.5 % cut lies within 4.25 %
 * of both), plus the full frame itself for cuts of 1–3 % (and for flat pictures, whose windows all look
 * alike). Measured on Debian's pictures (8 sources × 60 one-axis crops of 1–10 %): these 11 windows found
 * 439/480 (every crop of the photographs; the misses are of one flat abstract render), the full frame alone
 * 318, the old grid of nine 93 % windows cutting both axes 269 (a crop keeping an axis whole sits 7 % off
 * every such window on that axis, beyond the hash's tolerance of ~2 % offset and ~3 % scale).
 */
export const CROP_WINDOWS: readonly Window[] = (() => {
  const out: Window[] = [FULL_FRAME];
  const along = (s: number, offsets: number[]) => {
    for (const o of offsets) out.push({ x: o, y: 0, w: s, h: 1 }, { x: 0, y: o, w: 1, h: s });
  };
  along(0.955, [0, 0.0225, 0.045]);
  along(0.915, [0, 0.085]);
  return out;
})();

/** Index of the full frame among CROP_WINDOWS: a match there is symmetric, so either photo may be the crop. */
export const FULL_WINDOW = 0;

// The stored layout's length is declared in lib/domain (the fetch queries read it); the windows above must match it.
if (CROP_WINDOWS.length !== CROP_WINDOW_COUNT)
  throw new Error(
    `CROP_WINDOWS has ${CROP_WINDOWS.length} windows, lib/domain/cropHashLayout.ts says ${CROP_WINDOW_COUNT}`,
  );

/**
 * The crop index splits the 64 bits into these three keys (bit 0 = MSB of hi), whatever the photo count,
 * so each window can store which of its bits inside each key are least reliable.
 */
export const CROP_KEYS: readonly { start: number; bits: number }[] = [
  { start: 0, bits: 22 },
  { start: 22, bits: 21 },
  { start: 43, bits: 21 },
];
/** Weakest bits stored per key: 4 × 5-bit offsets × 3 keys = 60 bits, one bigint per window. */
export const WEAK_PER_KEY = 4;

/** A window's hash plus, per key, the offsets (within the key, weakest first) of its bits closest to the median. */
export type WindowHash = Hash64 & { weak: Hash64 };
export type CropHashes = { full: Hash64; windows: WindowHash[] };

/**
 * The 64 zig-zag coefficients of a 32×32 grid: rows against the 11 lowest frequencies, then columns.
 * Four frequencies share each pass over the samples: four independent sums keep the FPU busy where one
 * would wait on its own additions (3× faster), and each sum still adds in index order, so results are
 * bit-identical to the plain loops.
 */
function coefficients(grid: Float64Array): Float64Array {
  const rows = new Float64Array(SIZE * MAX_FREQ);
  for (let y = 0; y < SIZE; y++) {
    const g = y * SIZE;
    for (let u = 0; u < MAX_FREQ; u += 4) {
      const c0 = u * SIZE;
      const c1 = Math.min(u + 1, MAX_FREQ - 1) * SIZE;
      const c2 = Math.min(u + 2, MAX_FREQ - 1) * SIZE;
      const c3 = Math.min(u + 3, MAX_FREQ - 1) * SIZE;
      let s0 = 0,
        s1 = 0,
        s2 = 0,
        s3 = 0;
      for (let x = 0; x < SIZE; x++) {
        const v = grid[g + x];
        s0 += v * COS[c0 + x];
        s1 += v * COS[c1 + x];
        s2 += v * COS[c2 + x];
        s3 += v * COS[c3 + x];
      }
      const r = y * MAX_FREQ + u;
      rows[r] = s0;
      if (u + 1 < MAX_FREQ) rows[r + 1] = s1;
      if (u + 2 < MAX_FREQ) rows[r + 2] = s2;
      if (u + 3 < MAX_FREQ) rows[r + 3] = s3;
    }
  }
  const out = new Float64Array(64);
  for (let i = 0; i < 64; i += 4) {
    const u0 = ZIG_U[i],
      u1 = ZIG_U[i + 1],
      u2 = ZIG_U[i + 2],
      u3 = ZIG_U[i + 3];
    const v0 = ZIG_V[i] * SIZE,
      v1 = ZIG_V[i + 1] * SIZE,
      v2 = ZIG_V[i + 2] * SIZE,
      v3 = ZIG_V[i + 3] * SIZE;
    let s0 = 0,
      s1 = 0,
      s2 = 0,
      s3 = 0;
    for (let y = 0; y < SIZE; y++) {
      const r = y * MAX_FREQ;
      s0 += rows[r + u0] * COS[v0 + y];
      s1 += rows[r + u1] * COS[v1 + y];
      s2 += rows[r + u2] * COS[v2 + y];
      s3 += rows[r + u3] * COS[v3 + y];
    }
    out[i] = s0;
    out[i + 1] = s1;
    out[i + 2] = s2;
    out[i + 3] = s3;
  }
  return out;
}

function toHash(c: Float64Array): { hash: Hash64; margin: Float64Array } {
  const sorted = Float64Array.from(c).sort();
  const median = (sorted[31] + sorted[32]) / 2;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 64; i++) {
    const bit = c[i] > median ? 1 : 0;
    if (i < 32) hi = (hi << 1) | bit;
    else lo = (lo << 1) | bit;
  }
  return { hash: { hi: hi >>> 0, lo: lo >>> 0 }, margin: Float64Array.from(c, (x) => Math.abs(x - median)) };
}

/**
 * Packs, for each key, the offsets of its WEAK_PER_KEY smallest-margin bits: slots 0–5 in lo, 6–11 in hi.
 * Equal margins keep bit order (what a stable sort would give): an insertion into a short sorted list.
 */
function weakBits(margin: Float64Array): Hash64 {
  const slots: number[] = [];
  const best = new Int32Array(WEAK_PER_KEY);
  for (const k of CROP_KEYS) {
    let n = 0;
    for (let o = 0; o < k.bits; o++) {
      const m = margin[k.start + o];
      if (n === WEAK_PER_KEY && m >= margin[k.start + best[n - 1]]) continue;
      let at = n < WEAK_PER_KEY ? n++ : n - 1;
      while (at > 0 && margin[k.start + best[at - 1]] > m) {
        best[at] = best[at - 1];
        at--;
      }
      best[at] = o;
    }
    for (let i = 0; i < WEAK_PER_KEY; i++) slots.push(best[i]);
  }
  let hi = 0;
  let lo = 0;
  slots.forEach((o, s) => {
    if (s < 6) lo |= o << (5 * s);
    else hi |= o << (5 * (s - 6));
  });
  return { hi: hi >>> 0, lo: lo >>> 0 };
}

/** The offset (within key `k`) of the `n`-th weakest bit of that key. */
export function weakOffset(weak: Hash64, k: number, n: number): number {
  const s = k * WEAK_PER_KEY + n;
  return s < 6 ? (weak.lo >>> (5 * s)) & 31 : (weak.hi >>> (5 * (s - 6))) & 31;
}

export function cropHashOfWindow(t: LumaIntegral, win: Window): { hash: Hash64; margin: Float64Array } {
  return toHash(coefficients(windowGrid(t, win, SIZE)));
}

/** Full-frame crop hash and the window hashes of raw interleaved pixels (the thumbnail before encoding). */
export function cropHashes(data: Uint8Array, width: number, height: number, channels: number): CropHashes {
  return cropHashesOfIntegral(lumaIntegral(data, width, height, channels));
}

/** The same from a summed-area table the caller already has (fetch shares one with pHash). */
export function cropHashesOfIntegral(t: LumaIntegral): CropHashes {
  return {
    full: cropHashOfWindow(t, FULL_FRAME).hash,
    windows: CROP_WINDOWS.map((w) => {
      const { hash, margin } = cropHashOfWindow(t, w);
      return { ...hash, weak: weakBits(margin) };
    }),
  };
}

const toBig = (h: Hash64) => BigInt.asIntN(64, (BigInt(h.hi) << 32n) | BigInt(h.lo));
const fromBig = (v: bigint): Hash64 => {
  const u = BigInt.asUintN(64, v);
  return { hi: Number(u >> 32n), lo: Number(u & 0xffffffffn) };
};

/** Stored as one bigint[]: the full-frame hash, then hash and weak bits of each window. */
export function encodeCropHashes(c: CropHashes): bigint[] {
  return [toBig(c.full), ...c.windows.flatMap((w) => [toBig(w), toBig(w.weak)])];
}

/** Null when the stored array is missing or from another window layout (the photo is then re-fetched). */
export function decodeCropHashes(v: readonly bigint[] | null | undefined): CropHashes | null {
  if (!v || v.length !== CROP_HASH_LENGTH) return null;
  return {
    full: fromBig(v[0]),
    windows: CROP_WINDOWS.map((_, k) => ({ ...fromBig(v[1 + 2 * k]), weak: fromBig(v[2 + 2 * k]) })),
  };
}
