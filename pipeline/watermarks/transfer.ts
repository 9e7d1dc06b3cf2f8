// Carries an orientation group's watermark estimate into the other orientation's frame, for groups too small
// (or too faint) to estimate from: the mark keeps its corner, and its size follows the width, the height or neither.
import type { Gradients } from './gradients.ts';
import { padBox, type MarkTemplate } from './match.ts';

export type TransferredMark = MarkTemplate & { scale: number };

type Patch = { data: Float32Array; w: number; h: number };

const WIDTH_PRIOR = 0.03;

/** Bilinear resample of a patch to w × h. */
function resample(p: Patch, w: number, h: number): Patch {
  const out = new Float32Array(w * h);
  for (let y = 0; y < h; y++) {
    const sy = Math.min(p.h - 1, Math.max(0, ((y + 0.5) * p.h) / h - 0.5));
    const y0 = Math.floor(sy),
      y1 = Math.min(p.h - 1, y0 + 1),
      fy = sy - y0;
    for (let x = 0; x < w; x++) {
      const sx = Math.min(p.w - 1, Math.max(0, ((x + 0.5) * p.w) / w - 0.5));
      const x0 = Math.floor(sx),
        x1 = Math.min(p.w - 1, x0 + 1),
        fx = sx - x0;
      const top = p.data[y0 * p.w + x0] * (1 - fx) + p.data[y0 * p.w + x1] * fx;
      const bottom = p.data[y1 * p.w + x0] * (1 - fx) + p.data[y1 * p.w + x1] * fx;
      out[y * w + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return { data: out, w, h };
}

/** Pearson correlation of a patch with a photo's gradient map at (left, top). */
function patchCorrelation(p: Patch, mag: Float32Array, width: number, left: number, top: number): number {
  let st = 0,
    sp = 0,
    stt = 0,
    spp = 0,
    stp = 0;
  const n = p.w * p.h;
  for (let y = 0; y < p.h; y++) {
    const row = (top + y) * width + left;
    for (let x = 0; x < p.w; x++) {
      const t = p.data[y * p.w + x];
      const v = mag[row + x];
      st += t;
      sp += v;
      stt += t * t;
      spp += v * v;
      stp += t * v;
    }
  }
  const cov = stp - (st * sp) / n,
    vt = stt - (st * st) / n,
    vp = spp - (sp * sp) / n;
  return vt > 0 && vp > 0 ? cov / Math.sqrt(vt * vp) : 0;
}

type Anchor = 'start' | 'middle' | 'end';
const anchorOf = (lo: number, hi: number, size: number): Anchor => {
  const c = (lo + hi + 1) / 2 / size;
  return c < 0.4 ? 'start' : c > 0.6 ? 'end' : 'middle';
};

/** Where a patch of length `len` goes along an axis of `size`, given its gap to the anchored edge. */
function place(anchor: Anchor, gap: number, len: number, size: number): number {
  if (anchor === 'start') return gap;
  if (anchor === 'end') return size - len - gap;
  return Math.round((size - len) / 2);
}

/**
 * Chooses the scale and position that the target photos agree on best (mean correlation): a mark sized as a
 * share of the width shrinks in the narrower frame, one sized by the short or long side keeps its pixel size.
 * The search is a few pixels wide, so chance agreement of one photo's scene edges stays small.
 */
export function transferMark(
  est: MarkTemplate,
  width: number,
  height: number,
  targets: Gradients[],
  radius = 3,
): TransferredMark | null {
  if (targets.length === 0) return null;
  const src = padBox(est.boxPx, est.width, est.height, 2);
  const cut = (map: Float32Array): Patch => {
    const p: Patch = {
      data: new Float32Array((src.x1 - src.x0 + 1) * (src.y1 - src.y0 + 1)),
      w: src.x1 - src.x0 + 1,
      h: src.y1 - src.y0 + 1,
    };
    for (let y = 0; y < p.h; y++)
      for (let x = 0; x < p.w; x++) p.data[y * p.w + x] = map[(src.y0 + y) * est.width + src.x0 + x];
    return p;
  };
  const patch = cut(est.residual);
  const ax = anchorOf(src.x0, src.x1, est.width),
    ay = anchorOf(src.y0, src.y1, est.height);
  const gapX = ax === 'end' ? est.width - 1 - src.x1 : src.x0;
  const gapY = ay === 'end' ? est.height - 1 - src.y1 : src.y0;
  // Margins are usually a share of the short side, which both frames share.
  const gapScale = Math.min(width, height) / Math.min(est.width, est.height);
  // Tools size marks by the image's width (most) or by its short or long side (the same pixels in both frames);
  // sizing by height is rare, and letting it compete made scene structure win on real photos.
  const byWidth = Math.round((width / est.width) * 100) / 100;
  const scales = [...new Set([byWidth, 1])];
  let best: { score: number; scale: number; left: number; top: number; p: Patch } | null = null;
  for (const scale of scales) {
    const w = Math.round(patch.w * scale),
      h = Math.round(patch.h * scale);
    if (w < 6 || h < 4 || w > width || h > height) continue;
    const p = scale === 1 ? patch : resample(patch, w, h);
    // Two guesses for the gap (kept, or scaled with the mark); the search covers both.
    const xs = [
      place(ax, Math.round(gapX * gapScale), w, width),
      place(ax, Math.round(gapX * scale), w, width),
    ];
    const ys = [
      place(ay, Math.round(gapY * gapScale), h, height),
      place(ay, Math.round(gapY * scale), h, height),
    ];
    const [xLo, xHi] = [Math.max(0, Math.min(...xs) - radius), Math.min(width - w, Math.max(...xs) + radius)];
    const [yLo, yHi] = [
      Math.max(0, Math.min(...ys) - radius),
      Math.min(height - h, Math.max(...ys) + radius),
    ];
    for (let top = yLo; top <= yHi; top++) {
      for (let left = xLo; left <= xHi; left++) {
        let sum = 0;
        for (const t of targets) sum += patchCorrelation(p, t.mag, width, left, top);
        // The common case wins a near tie: a few photos' scene edges should not pick an unusual size.
        const score = sum / targets.length + (scale === byWidth ? WIDTH_PRIOR : 0);
        if (!best || score > best.score) best = { score, scale, left, top, p };
      }
    }
  }
  if (!best) return null;
  const { left, top, p } = best;
  // Edge directions survive an isotropic rescale unchanged, so their fields are resampled like the strength.
  const paste = (q: Patch): Float32Array => {
    const full = new Float32Array(width * height);
    const r = q.w === p.w && q.h === p.h ? q : resample(q, p.w, p.h);
    for (let y = 0; y < p.h; y++)
      for (let x = 0; x < p.w; x++) full[(top + y) * width + left + x] = r.data[y * p.w + x];
    return full;
  };
  // The padded patch's inner box, as matchPhoto pads it again.
  const pad = Math.round(2 * best.scale);
  const boxPx = { x0: left + pad, y0: top + pad, x1: left + p.w - 1 - pad, y1: top + p.h - 1 - pad };
  return {
    width,
    height,
    boxPx,
    residual: paste(p),
    c2: paste(cut(est.c2)),
    s2: paste(cut(est.s2)),
    scale: best.scale,
  };
}
