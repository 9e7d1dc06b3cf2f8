// Image gradients and per-pixel statistics across a stack of same-sized maps, on typed arrays.
import type { Gray } from './types.ts';

/** Central-difference gradient magnitude; the one-pixel rim is zero (resampling leaves artefacts there). */
export function gradientMagnitude(g: Gray, out = new Float32Array(g.width * g.height)): Float32Array {
  const { data, width: w, height: h } = g;
  out.fill(0);
  for (let y = 1; y < h - 1; y++) {
    const row = y * w;
    for (let x = 1; x < w - 1; x++) {
      const i = row + x;
      const gx = (data[i + 1] - data[i - 1]) * 0.5;
      const gy = (data[i + w] - data[i - w]) * 0.5;
      out[i] = Math.sqrt(gx * gx + gy * gy);
    }
  }
  return out;
}

/** Gradient magnitude and its orientation in doubled-angle form (m·cos 2θ, m·sin 2θ): edges that differ only in sign agree. */
export type Gradients = { mag: Float32Array; c2: Float32Array; s2: Float32Array };

export function gradients(g: Gray): Gradients {
  const { data, width: w, height: h } = g;
  const size = w * h;
  const mag = new Float32Array(size),
    c2 = new Float32Array(size),
    s2 = new Float32Array(size);
  for (let y = 1; y < h - 1; y++) {
    const row = y * w;
    for (let x = 1; x < w - 1; x++) {
      const i = row + x;
      const gx = (data[i + 1] - data[i - 1]) * 0.5;
      const gy = (data[i + w] - data[i - w]) * 0.5;
      const m = Math.sqrt(gx * gx + gy * gy);
      mag[i] = m;
      if (m > 0) {
        c2[i] = (gx * gx - gy * gy) / m;
        s2[i] = (2 * gx * gy) / m;
      }
    }
  }
  return { mag, c2, s2 };
}

/**
 * Per-pixel orientation coherence across photos, 0..1: near 1 where the photos' edges run the same
 * way (an overlay), near 1/√n where edges of unrelated scenes happen to cross.
 */
export function coherence(stack: Gradients[]): Float32Array {
  const size = stack[0].mag.length;
  const sc = new Float32Array(size),
    ss = new Float32Array(size),
    sm = new Float32Array(size);
  for (const g of stack) {
    for (let i = 0; i < size; i++) {
      sc[i] += g.c2[i];
      ss[i] += g.s2[i];
      sm[i] += g.mag[i];
    }
  }
  const out = new Float32Array(size);
  for (let i = 0; i < size; i++) out[i] = sm[i] > 0 ? Math.sqrt(sc[i] * sc[i] + ss[i] * ss[i]) / sm[i] : 0;
  return out;
}

/** Hoare's selection: the k-th smallest of values[0..n), reordering values in place. */
function select(values: Float32Array, n: number, k: number): number {
  let lo = 0;
  let hi = n - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1];
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i] < pivot) i++;
      while (values[j] > pivot) j--;
      if (i <= j) {
        const t = values[i];
        values[i] = values[j];
        values[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return values[k];
  }
  return values[k];
}

/** Per-pixel quantile (0.5 = median) across maps: what persists from photo to photo. */
export function pixelQuantile(stack: Float32Array[], q = 0.5): Float32Array {
  const n = stack.length;
  const size = stack[0].length;
  const out = new Float32Array(size);
  const scratch = new Float32Array(n);
  const k = Math.min(n - 1, Math.max(0, Math.round(q * (n - 1))));
  for (let p = 0; p < size; p++) {
    for (let s = 0; s < n; s++) scratch[s] = stack[s][p];
    out[p] = select(scratch, n, k);
  }
  return out;
}

/** The q-quantile of an array's values (copying it). */
export function quantile(values: ArrayLike<number>, q: number): number {
  const copy = Float32Array.from(values);
  if (copy.length === 0) return 0;
  return select(copy, copy.length, Math.min(copy.length - 1, Math.max(0, Math.round(q * (copy.length - 1)))));
}
