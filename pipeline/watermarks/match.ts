// Per-photo matching: how well a photo's own edges follow the account's estimated watermark in its box.
import type { PixelBox } from './components.ts';

/** Pearson correlation of two maps over a box, the second map displaced by (dx, dy). */
function correlation(template: Float32Array, photo: Float32Array, width: number, height: number, box: PixelBox, dx: number, dy: number): number {
  let n = 0, st = 0, sp = 0, stt = 0, spp = 0, stp = 0;
  for (let y = box.y0; y <= box.y1; y++) {
    const py = y + dy;
    if (py < 0 || py >= height) continue;
    for (let x = box.x0; x <= box.x1; x++) {
      const px = x + dx;
      if (px < 0 || px >= width) continue;
      const t = template[y * width + x];
      const p = photo[py * width + px];
      n++;
      st += t;
      sp += p;
      stt += t * t;
      spp += p * p;
      stp += t * p;
    }
  }
  if (n < 4) return 0;
  const cov = stp - (st * sp) / n;
  const vt = stt - (st * st) / n;
  const vp = spp - (sp * sp) / n;
  return vt > 0 && vp > 0 ? cov / Math.sqrt(vt * vp) : 0;
}

/** The box grown by `pad` pixels and clipped to the frame: edges of a mark spill a pixel past its ink. */
export function padBox(box: PixelBox, width: number, height: number, pad: number): PixelBox {
  return { x0: Math.max(0, box.x0 - pad), y0: Math.max(0, box.y0 - pad), x1: Math.min(width - 1, box.x1 + pad), y1: Math.min(height - 1, box.y1 + pad) };
}

/**
 * Best correlation of a photo's gradient magnitude with the estimated watermark (the residual
 * median gradient) within the box, over shifts of up to `shift` pixels (export tools round
 * positions differently, and crops move marks slightly in the common frame).
 */
export function matchPhoto(template: Float32Array, photoMag: Float32Array, width: number, height: number, box: PixelBox, shift = 1): number {
  const area = padBox(box, width, height, 2);
  let best = -1;
  for (let dy = -shift; dy <= shift; dy++) {
    for (let dx = -shift; dx <= shift; dx++) best = Math.max(best, correlation(template, photoMag, width, height, area, dx, dy));
  }
  return best;
}
