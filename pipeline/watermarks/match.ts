// Per-photo matching: how well a photo's own edges follow the account's estimated watermark in its box.
import type { PixelBox } from './components.ts';
import type { WatermarkEstimate } from './estimate.ts';
import type { Gradients } from './gradients.ts';

/**
 * What a photo is compared with: the estimated mark's edge strength (residual) and, per pixel, the direction its
 * edges run in (doubled angle, scaled by the residual), all in one orientation group's frame.
 */
export type MarkTemplate = {
  width: number;
  height: number;
  boxPx: PixelBox;
  residual: Float32Array;
  c2: Float32Array;
  s2: Float32Array;
};

/** The estimate's template, with edge directions averaged over the photos it was estimated from. */
export function markTemplate(est: WatermarkEstimate & { boxPx: PixelBox }, stack: Gradients[]): MarkTemplate {
  const n = est.width * est.height;
  const c2 = new Float32Array(n),
    s2 = new Float32Array(n);
  for (const g of stack)
    for (let i = 0; i < n; i++) {
      c2[i] += g.c2[i];
      s2[i] += g.s2[i];
    }
  for (let i = 0; i < n; i++) {
    const len = Math.hypot(c2[i], s2[i]);
    const k = len > 0 ? est.residual[i] / len : 0;
    c2[i] *= k;
    s2[i] *= k;
  }
  return { width: est.width, height: est.height, boxPx: est.boxPx, residual: est.residual, c2, s2 };
}

/**
 * At displacement (dx, dy): Pearson correlation of edge strength, and the cosine between the template's and the
 * photo's edge-direction fields. Scene edges under a faint mark raise the first by chance; they run every which
 * way, so they add little to the second.
 */
function agreement(
  t: MarkTemplate,
  g: Gradients,
  area: PixelBox,
  dx: number,
  dy: number,
): { strength: number; direction: number } {
  const { width, height } = t;
  let n = 0,
    st = 0,
    sp = 0,
    stt = 0,
    spp = 0,
    stp = 0,
    dot = 0,
    tt = 0,
    pp = 0;
  for (let y = area.y0; y <= area.y1; y++) {
    const py = y + dy;
    if (py < 0 || py >= height) continue;
    for (let x = area.x0; x <= area.x1; x++) {
      const px = x + dx;
      if (px < 0 || px >= width) continue;
      const i = y * width + x,
        j = py * width + px;
      const a = t.residual[i],
        b = g.mag[j];
      n++;
      st += a;
      sp += b;
      stt += a * a;
      spp += b * b;
      stp += a * b;
      dot += t.c2[i] * g.c2[j] + t.s2[i] * g.s2[j];
      tt += t.c2[i] * t.c2[i] + t.s2[i] * t.s2[i];
      pp += g.c2[j] * g.c2[j] + g.s2[j] * g.s2[j];
    }
  }
  if (n < 4) return { strength: 0, direction: 0 };
  const cov = stp - (st * sp) / n,
    vt = stt - (st * st) / n,
    vp = spp - (sp * sp) / n;
  return {
    strength: vt > 0 && vp > 0 ? cov / Math.sqrt(vt * vp) : 0,
    direction: tt > 0 && pp > 0 ? dot / Math.sqrt(tt * pp) : 0,
  };
}

/** The box grown by `pad` pixels and clipped to the frame: edges of a mark spill a pixel past its ink. */
export function padBox(box: PixelBox, width: number, height: number, pad: number): PixelBox {
  return {
    x0: Math.max(0, box.x0 - pad),
    y0: Math.max(0, box.y0 - pad),
    x1: Math.min(width - 1, box.x1 + pad),
    y1: Math.min(height - 1, box.y1 + pad),
  };
}

/**
 * A photo's match with the mark, −1..1: the mean of edge-strength correlation and edge-direction agreement in the
 * box, best over shifts of up to `shift` pixels (export tools round positions differently, and crops move marks
 * slightly in the common frame). On generated accounts with faint marks (opacity 0.25–0.6) the mean separated
 * carriers from the rest better than either alone (ROC AUC 0.989 against 0.980 for strength alone).
 */
export function matchPhoto(t: MarkTemplate, g: Gradients, shift = 1): number {
  const area = padBox(t.boxPx, t.width, t.height, 2);
  let best = -1;
  for (let dy = -shift; dy <= shift; dy++) {
    for (let dx = -shift; dx <= shift; dx++) {
      const a = agreement(t, g, area, dx, dy);
      best = Math.max(best, (a.strength + a.direction) / 2);
    }
  }
  return best;
}
