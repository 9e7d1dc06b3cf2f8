// Area-averaged greyscale grids of any sub-window of an image, from one summed-area table (no re-decode per window).

/** A window in fractions of the frame: left, top, width, height in 0..1. */
export type Window = { x: number; y: number; w: number; h: number };

export const FULL_FRAME: Window = { x: 0, y: 0, w: 1, h: 1 };

/** Summed-area table of luma: `sat[y * (width + 1) + x]` is the sum over pixels [0, x) × [0, y). */
export type LumaIntegral = { sat: Float64Array; width: number; height: number };

export function lumaIntegral(
  data: Uint8Array,
  width: number,
  height: number,
  channels: number,
): LumaIntegral {
  const stride = width + 1;
  const sat = new Float64Array(stride * (height + 1));
  const colour = channels >= 3;
  for (let y = 0, p = 0; y < height; y++) {
    let row = 0;
    // Running indices into the row above and this row of the table (whose first column stays 0).
    for (
      let x = 0, above = y * stride + 1, here = above + stride;
      x < width;
      x++, p += channels, above++, here++
    ) {
      row += colour ? 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2] : data[p];
      sat[here] = sat[above] + row;
    }
  }
  return { sat, width, height };
}

/** Where fractional coordinates fall in the table: the cell to their left/above and how far into it. */
function cells(coords: Float64Array, size: number): { index: Int32Array; frac: Float64Array } {
  const index = new Int32Array(coords.length);
  const frac = new Float64Array(coords.length);
  for (let i = 0; i < coords.length; i++) {
    index[i] = Math.min(Math.floor(coords[i]), size - 1);
    frac[i] = coords[i] - index[i];
  }
  return { index, frac };
}

/**
 * One row of table samples at fractional coordinates. Pixels are constant over their unit squares, so the
 * integral is bilinear inside each square and bilinear interpolation of the table is exact area integration.
 */
function sampleRow(
  t: LumaIntegral,
  xs: { index: Int32Array; frac: Float64Array },
  y: number,
  out: Float64Array,
): void {
  const stride = t.width + 1;
  const s = t.sat;
  const y0 = Math.min(Math.floor(y), t.height - 1);
  const fy = y - y0;
  const base = y0 * stride;
  for (let i = 0; i < out.length; i++) {
    const k = base + xs.index[i];
    const fx = xs.frac[i];
    out[i] =
      (s[k] * (1 - fx) + s[k + 1] * fx) * (1 - fy) + (s[k + stride] * (1 - fx) + s[k + stride + 1] * fx) * fy;
  }
}

/**
 * The `cols`×`rows` grid of mean luma over `win`, each cell the exact area average of the pixels it covers
 * (what a box-filter downscale of the cropped window would give).
 */
export function windowGrid(
  t: LumaIntegral,
  win: Window,
  cols: number,
  rows = cols,
  out = new Float64Array(cols * rows),
): Float64Array {
  const x0 = win.x * t.width;
  const y0 = win.y * t.height;
  const cw = (win.w * t.width) / cols;
  const ch = (win.h * t.height) / rows;
  const xs = new Float64Array(cols + 1);
  for (let i = 0; i <= cols; i++) xs[i] = Math.min(t.width, Math.max(0, x0 + i * cw));
  const columns = cells(xs, t.width);
  let prev = new Float64Array(cols + 1);
  let next = new Float64Array(cols + 1);
  const yAt = (j: number) => Math.min(t.height, Math.max(0, y0 + j * ch));
  sampleRow(t, columns, yAt(0), prev);
  for (let j = 0; j < rows; j++) {
    const ya = yAt(j);
    const yb = yAt(j + 1);
    sampleRow(t, columns, yb, next);
    for (let i = 0; i < cols; i++) {
      const area = (xs[i + 1] - xs[i]) * (yb - ya);
      out[j * cols + i] = area > 0 ? (next[i + 1] - next[i] - prev[i + 1] + prev[i]) / area : 0;
    }
    [prev, next] = [next, prev];
  }
  return out;
}
