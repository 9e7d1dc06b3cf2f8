// Perceptual hash (pHash: 32×32 luma → DCT → 8×8 low frequencies vs. their median) and 64-bit hash helpers.
import { FULL_FRAME, windowGrid, type LumaIntegral } from './lumaWindows.ts';

/** A 64-bit hash as two unsigned 32-bit halves: JS bit operations are 32-bit and BigInt is slow in hot loops. */
export type Hash64 = { hi: number; lo: number };

const SIZE = 32;
const LOW = 8;

// cos((2x+1)uπ/64) for u = 1..8 (the DC term u = 0 is skipped: it is the mean brightness, not structure).
const COS = (() => {
  const t = new Float64Array(LOW * SIZE);
  for (let u = 0; u < LOW; u++)
    for (let x = 0; x < SIZE; x++) t[u * SIZE + x] = Math.cos(((2 * x + 1) * (u + 1) * Math.PI) / (2 * SIZE));
  return t;
})();

/** For each source index along one axis: the ≤ 2 output cells it overlaps and the overlap weights (area averaging). */
function coverage(n: number): { cell: Int32Array; w0: Float64Array; w1: Float64Array } {
  const cell = new Int32Array(n);
  const w0 = new Float64Array(n);
  const w1 = new Float64Array(n);
  const step = n / SIZE;
  for (let i = 0; i < n; i++) {
    const c = Math.min(SIZE - 1, Math.floor(i / step));
    const edge = (c + 1) * step;
    cell[i] = c;
    // A source pixel straddles at most one cell boundary when shrinking; when enlarging it spans several,
    // which the weights below still average correctly because each cell is then normalised by its total weight.
    w0[i] = Math.min(1, Math.max(0, edge - i));
    w1[i] = c + 1 < SIZE ? 1 - w0[i] : 0;
  }
  return { cell, w0, w1 };
}

/** Area-averages interleaved 8-bit pixels (1, 3 or 4 channels) to a 32×32 luma grid, ignoring aspect ratio as pHash does. */
export function lumaGrid(data: Uint8Array, width: number, height: number, channels: number): Float64Array {
  const grid = new Float64Array(SIZE * SIZE);
  const weight = new Float64Array(SIZE * SIZE);
  const xs = coverage(width);
  const ys = coverage(height);
  for (let y = 0, p = 0; y < height; y++) {
    const cy = ys.cell[y];
    const a0 = ys.w0[y];
    const a1 = ys.w1[y];
    for (let x = 0; x < width; x++, p += channels) {
      const l = channels >= 3 ? 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2] : data[p];
      const cx = xs.cell[x];
      const b0 = xs.w0[x];
      const b1 = xs.w1[x];
      const k = cy * SIZE + cx;
      grid[k] += l * a0 * b0;
      weight[k] += a0 * b0;
      if (b1 > 0) {
        grid[k + 1] += l * a0 * b1;
        weight[k + 1] += a0 * b1;
      }
      if (a1 > 0) {
        grid[k + SIZE] += l * a1 * b0;
        weight[k + SIZE] += a1 * b0;
        if (b1 > 0) {
          grid[k + SIZE + 1] += l * a1 * b1;
          weight[k + SIZE + 1] += a1 * b1;
        }
      }
    }
  }
  for (let k = 0; k < grid.length; k++) grid[k] = weight[k] > 0 ? grid[k] / weight[k] : 0;
  // Images narrower than 32 px leave cells without a source pixel: fill them from the left/up neighbour.
  for (let k = 1; k < grid.length; k++)
    if (weight[k] === 0) grid[k] = k % SIZE ? grid[k - 1] : grid[k - SIZE];
  return grid;
}

/** pHash of a 32×32 luma grid. Bit 63 (MSB of hi) is coefficient (1,1); row-major over (v,u). */
export function phashOfGrid(grid: Float64Array): Hash64 {
  const rowT = new Float64Array(SIZE * LOW);
  for (let y = 0; y < SIZE; y++) {
    for (let u = 0; u < LOW; u++) {
      let s = 0;
      for (let x = 0; x < SIZE; x++) s += grid[y * SIZE + x] * COS[u * SIZE + x];
      rowT[y * LOW + u] = s;
    }
  }
  const coeffs = new Float64Array(LOW * LOW);
  for (let v = 0; v < LOW; v++) {
    for (let u = 0; u < LOW; u++) {
      let s = 0;
      for (let y = 0; y < SIZE; y++) s += rowT[y * LOW + u] * COS[v * SIZE + y];
      coeffs[v * LOW + u] = s;
    }
  }
  const sorted = Float64Array.from(coeffs).sort();
  const median = (sorted[31] + sorted[32]) / 2;
  let hi = 0;
  let lo = 0;
  for (let i = 0; i < 64; i++) {
    const bit = coeffs[i] > median ? 1 : 0;
    if (i < 32) hi = (hi << 1) | bit;
    else lo = (lo << 1) | bit;
  }
  return { hi: hi >>> 0, lo: lo >>> 0 };
}

/** pHash of raw interleaved pixels (typically the 256 px thumbnail before encoding). */
export function phashOfPixels(data: Uint8Array, width: number, height: number, channels: number): Hash64 {
  return phashOfGrid(lumaGrid(data, width, height, channels));
}

/**
 * pHash from a summed-area table of the same pixels: the exact area averages lumaGrid computes, without a
 * second pass over the pixels. Frames narrower than the grid fall back to lumaGrid's neighbour filling.
 */
export function phashOfIntegral(t: LumaIntegral, data: Uint8Array, channels: number): Hash64 {
  if (t.width < SIZE || t.height < SIZE) return phashOfPixels(data, t.width, t.height, channels);
  return phashOfGrid(windowGrid(t, FULL_FRAME, SIZE));
}

export function popcount32(x: number): number {
  x -= (x >>> 1) & 0x55555555;
  x = (x & 0x33333333) + ((x >>> 2) & 0x33333333);
  x = (x + (x >>> 4)) & 0x0f0f0f0f;
  return Math.imul(x, 0x01010101) >>> 24;
}

export function hamming(a: Hash64, b: Hash64): number {
  return popcount32((a.hi ^ b.hi) >>> 0) + popcount32((a.lo ^ b.lo) >>> 0);
}

/** The signed 64-bit value PostgreSQL's bigint stores. */
export function hashToBigInt(h: Hash64): bigint {
  return BigInt.asIntN(64, (BigInt(h.hi) << 32n) | BigInt(h.lo));
}

export function bigIntToHash(v: bigint): Hash64 {
  const u = BigInt.asUintN(64, v);
  return { hi: Number(u >> 32n), lo: Number(u & 0xffffffffn) };
}

export function hashToHex(h: Hash64): string {
  return h.hi.toString(16).padStart(8, '0') + h.lo.toString(16).padStart(8, '0');
}
