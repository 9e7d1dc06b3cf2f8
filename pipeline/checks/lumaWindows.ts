// Area-averaged greyscale grids of any sub-window of an image, from one summed-area table (no re-decode per window).

/** A window in fractions of the frame: left, top, width, height in 0..1. */
export type Window = { x: number; y: number; w: number; h: number };

export const FULL_FRAME: Window = { x: 0, y: 0, w: 1, h: 1 };

/** Summed-area table of luma: `sat[y * (width + 1) + x]` is the sum over pixels [0, x) × [0, y). */
export type LumaIntegral = { sat: Float64Array; width: number; height: number };

export function lumaIntegral(data: Uint8Array, width: number, height: number, channels: number): LumaIntegral {
  const stride = width + 1;
  const sat = new Float64Array(stride * (height + 1));
  for (let y = 0, p = 0; y < height; y++) {
    let row = 0;
    for (let x = 0; x < width; x++, p += channels) {
      row += channels >= 3 ? 0.299 * data[p] + 0.587 * data[p + 1] + 0.114 * data[p + 2] : data[p];
      sat[(y + 1) * stride + x + 1] = sat[y * stride + x + 1] + row;
    }
  }
  return { sat, width, height };
}

/**
 * The table at fractional coordinates. Pixels are constant over their unit squares, so the integral is
 * bilinear inside each square and bilinear interpolation of the table is exact area integration.
 */
function at(t: LumaIntegral, x: number, y: number): number {
  const stride = t.width + 1;
  const x0 = Math.min(Math.floor(x), t.width - 1);
  const y0 = Math.min(Math.floor(y), t.height - 1);
  const fx = x - x0;
  const fy = y - y0;
  const i = y0 * stride + x0;
  const s = t.sat;
  return (s[i] * (1 - fx) + s[i + 1] * fx) * (1 - fy) + (s[i + stride] * (1 - fx) + s[i + stride + 1] * fx) * fy;
}

/**
 * The `cols`×`rows` grid of mean luma over `win`, each cell the exact area average of the pixels it covers
 * (what a box-filter downscale of the cropped window would give).
 */
export function windowGrid(t: LumaIntegral, win: Window, cols: number, rows = cols, out = new Float64Array(cols * rows)): Float64Array {
  const x0 = win.x * t.width;
  const y0 = win.y * t.height;
  const cw = (win.w * t.width) / cols;
  const ch = (win.h * t.height) / rows;
  const xs = new Float64Array(cols + 1);
  for (let i = 0; i <= cols; i++) xs[i] = Math.min(t.width, Math.max(0, x0 + i * cw));
  let prev = new Float64Array(cols + 1);
  let next = new Float64Array(cols + 1);
  const yAt = (j: number) => Math.min(t.height, Math.max(0, y0 + j * ch));
  for (let i = 0; i <= cols; i++) prev[i] = at(t, xs[i], yAt(0));
  for (let j = 0; j < rows; j++) {
    const ya = yAt(j);
    const yb = yAt(j + 1);
    for (let i = 0; i <= cols; i++) next[i] = at(t, xs[i], yb);
    for (let i = 0; i < cols; i++) {
      const area = (xs[i + 1] - xs[i]) * (yb - ya);
      out[j * cols + i] = area > 0 ? (next[i + 1] - next[i] - prev[i + 1] + prev[i]) / area : 0;
    }
    [prev, next] = [next, prev];
  }
  return out;
}
