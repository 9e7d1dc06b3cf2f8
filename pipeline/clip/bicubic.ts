// Bicubic resampling of 8-bit RGB, bit-exact with Pillow's Image.resize(BICUBIC), which CLIP's preprocessing uses.

// Pillow's fixed-point precision for 8-bit images (32 bits - 8 for the value - 2 for headroom).
const PRECISION_BITS = 22;
const ONE = 1 << PRECISION_BITS;
const HALF = 1 << (PRECISION_BITS - 1);
const MAX = 255 * ONE;

/** Keys cubic with a = -0.5, Pillow's bicubic_filter. */
function bicubic(x: number): number {
  const a = -0.5;
  const t = Math.abs(x);
  if (t < 1) return ((a + 2) * t - (a + 3)) * t * t + 1;
  if (t < 2) return (((t - 5) * t + 8) * t - 4) * a;
  return 0;
}

type Coefficients = { bounds: Int32Array; kernels: Int32Array; ksize: number };

/** Pillow's precompute_coeffs + normalize_coeffs_8bpc for one axis. */
function coefficients(inSize: number, outSize: number): Coefficients {
  const scale = inSize / outSize;
  const filterScale = Math.max(scale, 1);
  const support = 2 * filterScale;
  const ksize = Math.ceil(support) * 2 + 1;
  const bounds = new Int32Array(outSize * 2);
  const kernels = new Int32Array(outSize * ksize);
  const weights = new Float64Array(ksize);
  for (let xx = 0; xx < outSize; xx++) {
    const center = (xx + 0.5) * scale;
    const xmin = Math.max(Math.trunc(center - support + 0.5), 0);
    const xcount = Math.min(Math.trunc(center + support + 0.5), inSize) - xmin;
    let sum = 0;
    for (let x = 0; x < xcount; x++) {
      weights[x] = bicubic((x + xmin - center + 0.5) / filterScale);
      sum += weights[x];
    }
    for (let x = 0; x < xcount; x++) {
      const w = sum !== 0 ? weights[x] / sum : weights[x];
      kernels[xx * ksize + x] = w < 0 ? Math.trunc(-0.5 + w * ONE) : Math.trunc(0.5 + w * ONE);
    }
    bounds[xx * 2] = xmin;
    bounds[xx * 2 + 1] = xcount;
  }
  return { bounds, kernels, ksize };
}

function clip8(v: number): number {
  if (v >= MAX) return 255;
  if (v <= 0) return 0;
  return Math.floor(v / ONE);
}

export type RgbImage = { data: Uint8Array; width: number; height: number };

/**
 * Resizes to outWidth×outHeight like Pillow (horizontal pass, rounding to 8 bits, vertical pass), but
 * computes only the output window [left, left+cropWidth) × [top, top+cropHeight): resize-then-crop
 * gives the same pixels at a fraction of the work.
 */
export function resizeBicubicCrop(
  src: RgbImage,
  outWidth: number,
  outHeight: number,
  crop: { left: number; top: number; width: number; height: number },
): Uint8Array {
  const h = coefficients(src.width, outWidth);
  const v = coefficients(src.height, outHeight);
  // Only the source rows that the cropped output rows read need the horizontal pass.
  const firstRow = v.bounds[crop.top * 2];
  const last = crop.top + crop.height - 1;
  const lastRow = v.bounds[last * 2] + v.bounds[last * 2 + 1];
  const rows = lastRow - firstRow;
  const mid = new Uint8Array(rows * crop.width * 3);
  for (let y = 0; y < rows; y++) {
    const srcRow = (y + firstRow) * src.width * 3;
    for (let cx = 0; cx < crop.width; cx++) {
      const xx = cx + crop.left;
      const xmin = h.bounds[xx * 2];
      const count = h.bounds[xx * 2 + 1];
      const k = xx * h.ksize;
      let r = HALF,
        g = HALF,
        b = HALF;
      for (let x = 0; x < count; x++) {
        const w = h.kernels[k + x];
        const p = srcRow + (xmin + x) * 3;
        r += src.data[p] * w;
        g += src.data[p + 1] * w;
        b += src.data[p + 2] * w;
      }
      const o = (y * crop.width + cx) * 3;
      mid[o] = clip8(r);
      mid[o + 1] = clip8(g);
      mid[o + 2] = clip8(b);
    }
  }
  const out = new Uint8Array(crop.width * crop.height * 3);
  const stride = crop.width * 3;
  for (let cy = 0; cy < crop.height; cy++) {
    const yy = cy + crop.top;
    const ymin = v.bounds[yy * 2] - firstRow;
    const count = v.bounds[yy * 2 + 1];
    const k = yy * v.ksize;
    for (let i = 0; i < stride; i++) {
      let acc = HALF;
      for (let y = 0; y < count; y++) acc += mid[(ymin + y) * stride + i] * v.kernels[k + y];
      out[cy * stride + i] = clip8(acc);
    }
  }
  return out;
}
