// The level a median gradient map has without any overlay: a smooth, locally robust background estimate.
import { quantile } from './gradients.ts';

/**
 * Block quantiles (ignoring `exclude`d pixels), each replaced by the median of its neighbourhood
 * (3×3 blocks, wider at edges) so that a block full of watermark edges cannot lift its own level, then bilinearly
 * interpolated back to full size. Blocks with too few usable pixels take their neighbours' level.
 */
export function smoothBaseline(
  map: Float32Array,
  width: number,
  height: number,
  block = 16,
  q = 0.5,
  exclude?: Uint8Array,
): Float32Array {
  const bw = Math.max(1, Math.round(width / block));
  const bh = Math.max(1, Math.round(height / block));
  const cells = new Float32Array(bw * bh).fill(Number.NaN);
  const scratch: number[] = [];
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      scratch.length = 0;
      const y0 = Math.floor((by * height) / bh),
        y1 = Math.floor(((by + 1) * height) / bh);
      const x0 = Math.floor((bx * width) / bw),
        x1 = Math.floor(((bx + 1) * width) / bw);
      for (let y = y0; y < y1; y++) {
        for (let x = x0; x < x1; x++) {
          const i = y * width + x;
          if (!exclude || !exclude[i]) scratch.push(map[i]);
        }
      }
      if (scratch.length * 4 >= (y1 - y0) * (x1 - x0)) cells[by * bw + bx] = quantile(scratch, q);
    }
  }
  const robust = new Float32Array(bw * bh);
  for (let by = 0; by < bh; by++) {
    for (let bx = 0; bx < bw; bx++) {
      scratch.length = 0;
      // Widen the neighbourhood until it holds 9 usable blocks: at edges and corners a 3×3 one is cut
      // to 6 or 4, which a corner mark can half fill; a large mark can also leave no usable block.
      for (let r = 1; scratch.length < 9 && r <= Math.max(bw, bh); r++) {
        scratch.length = 0;
        for (let dy = -r; dy <= r; dy++)
          for (let dx = -r; dx <= r; dx++) {
            const yy = by + dy,
              xx = bx + dx;
            if (yy >= 0 && yy < bh && xx >= 0 && xx < bw && !Number.isNaN(cells[yy * bw + xx]))
              scratch.push(cells[yy * bw + xx]);
          }
      }
      robust[by * bw + bx] = scratch.length > 0 ? quantile(scratch, 0.5) : 0;
    }
  }
  const out = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    const fy = Math.min(bh - 1, Math.max(0, ((y + 0.5) * bh) / height - 0.5));
    const y0 = Math.floor(fy),
      y1 = Math.min(bh - 1, y0 + 1),
      ty = fy - y0;
    for (let x = 0; x < width; x++) {
      const fx = Math.min(bw - 1, Math.max(0, ((x + 0.5) * bw) / width - 0.5));
      const x0 = Math.floor(fx),
        x1 = Math.min(bw - 1, x0 + 1),
        tx = fx - x0;
      const top = robust[y0 * bw + x0] * (1 - tx) + robust[y0 * bw + x1] * tx;
      const bottom = robust[y1 * bw + x0] * (1 - tx) + robust[y1 * bw + x1] * tx;
      out[y * width + x] = top * (1 - ty) + bottom * ty;
    }
  }
  return out;
}
