// Estimates an account's watermark from its photos' gradient magnitudes: per-pixel median, baseline, compact structure.
import { smoothBaseline } from './baseline.ts';
import { findLines, lineBand, mergeLines, type LinePx } from './lines.ts';
import { coherence, pixelQuantile, type Gradients } from './gradients.ts';
import { strongestMark, type PixelBox } from './components.ts';
import { dilate } from './mask.ts';
import type { Box } from './types.ts';

export type { PixelBox };

export type EstimateParams = {
  /** A pixel is consistent structure when its median gradient exceeds the baseline by this many noise units. */
  zSignificant: number;
  /** Pixels of one mark (letters of a word, parts of a logo) are joined within this radius. */
  joinRadius: number;
  /** Energy (sum of capped z over the mark's pixels) at which strength reaches 1 − 1/e. */
  energyScale: number;
  /** The median gradient is weighted by orientation coherence to this power. */
  coherencePower: number;
  /**
   * Energy scale for a mark anchored where marks are put (a corner, or centred at the bottom): a faint mark there
   * needs less energy to count, since scene structure that persists across an account's photos rarely sits there.
   * 150 flagged faint light-grey marks (opacity 0.25–0.32) on generated and real photos while no clean account
   * (160 generated and real) rose: their highest scorers sat mid-edge or top-centre, or were a few pixels.
   */
  anchoredEnergyScale: number;
  /**
   * Density also counts the box's pixels above this z: a faint mark's edges mostly stand 3–6 noise units above the
   * baseline, so only scattered pixels pass zSignificant and its box looked as sparse as a chance alignment.
   * Light-grey marks at opacity 0.25–0.31 on 19 and 16 photos (generated and real) rose from 0.01 to fail.
   */
  softZ: number;
  /**
   * Photos an estimate needs before softZ counts: the median of a few photos keeps more of their scenes, and two
   * clean generated accounts of 7 and 8 landscapes rose to uncertain with it.
   */
  softMinPhotos: number;
};

export const DEFAULT_ESTIMATE_PARAMS: EstimateParams = {
  zSignificant: 6,
  joinRadius: 3,
  energyScale: 1000,
  coherencePower: 1,
  anchoredEnergyScale: 150,
  softZ: 3,
  softMinPhotos: 12,
};

export type Features = {
  /** Sum of capped z over the chosen component's significant pixels. */
  energy: number;
  pixels: number;
  /** Share of all consistent energy (outside frame lines) that lies in the chosen component. */
  compactness: number;
  /** Box area over frame area. */
  area: number;
  /** Share of the box's pixels that are significant (or, with enough photos, above softZ): marks are dense, chance alignments sparse. */
  density: number;
  sigma: number;
  /** 1 when the box sits in a corner or centred at the bottom (see `anchoredBox`), else 0. */
  anchored: number;
};

export type WatermarkEstimate = {
  width: number;
  height: number;
  photos: number;
  score: number;
  box: Box | null;
  boxPx: PixelBox | null;
  /** Median gradient above the baseline (≥ 0): the estimated watermark's edges. */
  residual: Float32Array;
  /** Consistent lines spanning the frame (border edges, frames), excluded from the watermark. */
  lines: LinePx[];
  features: Features;
};

const RIM = 2;
const SIGMA_FLOOR = 0.35;

export function toBox(b: PixelBox, width: number, height: number): Box {
  return { x: b.x0 / width, y: b.y0 / height, w: (b.x1 - b.x0 + 1) / width, h: (b.y1 - b.y0 + 1) / height };
}

/**
 * Strength (energy) × compactness (share of all consistent energy) × density (share of the box that is
 * edges: marks are dense, chance alignments of scene edges sparse), discounted for boxes covering much
 * of the frame (bursts and webcams, not overlays).
 */
export function scoreFeatures(f: Features, params: EstimateParams): number {
  const strength = 1 - Math.exp(-f.energy / (f.anchored ? params.anchoredEnergyScale : params.energyScale));
  const dense = smoothstep(0.04, 0.2, f.density);
  const spread = f.area <= 0.2 ? 1 : Math.max(0, 1 - (f.area - 0.2) / 0.3);
  return strength * f.compactness * dense * spread;
}

/** Significant pixels below which a structure gets no credit for where it sits. */
const ANCHORED_MIN_PIXELS = 20;

/** Share of the frame from an edge within which a mark's centre counts as at that edge. */
const EDGE_BAND = 0.2;

/**
 * Where watermarking tools put marks: in a corner, or centred at the bottom (the box's centre near the top or
 * bottom edge and near a side, or near the bottom edge and the middle). Scene structure that persists across an
 * account's photos (a horizon, a subject in a series, a sky's top edge) sits anywhere, so a box here is likelier a
 * mark. Top-centre is left out: marks are rare there, and on generated clean accounts scene structure sat there.
 */
export function anchoredBox(b: Box): boolean {
  const cx = b.x + b.w / 2,
    cy = b.y + b.h / 2;
  const top = cy < EDGE_BAND,
    bottom = cy > 1 - EDGE_BAND;
  const side = cx < 0.3 || cx > 0.7;
  return ((top || bottom) && side) || (bottom && Math.abs(cx - 0.5) < 0.1);
}

/** A mark where marks are put; a few pixels (sensor dust, one persistent speck) get no credit for where they sit. */
export function anchoredMark(b: Box, pixels: number): boolean {
  return pixels >= ANCHORED_MIN_PIXELS && anchoredBox(b);
}

function smoothstep(lo: number, hi: number, v: number): number {
  const t = Math.min(1, Math.max(0, (v - lo) / (hi - lo)));
  return t * t * (3 - 2 * t);
}

/** Share of the box's pixels whose z exceeds `zMin`. */
function boxShareAbove(z: Float32Array, b: PixelBox, width: number, zMin: number): number {
  let above = 0;
  for (let y = b.y0; y <= b.y1; y++) for (let x = b.x0; x <= b.x1; x++) if (z[y * width + x] > zMin) above++;
  return above / ((b.x1 - b.x0 + 1) * (b.y1 - b.y0 + 1));
}

type Significance = { residual: Float32Array; z: Float32Array; mask: Uint8Array; sigma: number };

/** Residual over the baseline, in local robust noise units, and the pixels above the threshold. */
function significance(
  median: Float32Array,
  width: number,
  height: number,
  zMin: number,
  exclude?: Uint8Array,
): Significance {
  const size = width * height;
  const base = smoothBaseline(median, width, height, 16, 0.5, exclude);
  const residual = new Float32Array(size);
  const absDev = new Float32Array(size);
  for (let i = 0; i < size; i++) {
    residual[i] = median[i] - base[i];
    absDev[i] = Math.abs(residual[i]);
  }
  // Noise of a median grows with the texture under it, so σ is local (robust, like the baseline).
  const spread = smoothBaseline(absDev, width, height, 16, 0.5, exclude);
  const z = new Float32Array(size);
  const mask = new Uint8Array(size);
  let sigmaSum = 0;
  for (let y = RIM; y < height - RIM; y++) {
    for (let x = RIM; x < width - RIM; x++) {
      const i = y * width + x;
      // Gradients of 8-bit images are quantised to halves: the floor keeps σ meaningful on flat skies.
      const sigma = Math.max(SIGMA_FLOOR, 1.4826 * spread[i]);
      sigmaSum += sigma;
      z[i] = residual[i] / sigma;
      if (z[i] > zMin) mask[i] = 1;
    }
  }
  return { residual, z, mask, sigma: sigmaSum / ((width - 2 * RIM) * (height - 2 * RIM)) };
}

/** Median of the stack, minus a smooth baseline, in robust noise units; lines and the rim set aside. */
export function estimateWatermark(
  stack: Gradients[],
  width: number,
  height: number,
  params = DEFAULT_ESTIMATE_PARAMS,
): WatermarkEstimate {
  const size = width * height;
  const median = pixelQuantile(
    stack.map((g) => g.mag),
    0.5,
  );
  // Edges of unrelated scenes that happen to line up in a few photos run in different directions.
  const agree = coherence(stack);
  for (let i = 0; i < size; i++) median[i] *= agree[i] ** params.coherencePower;
  // Two passes: the second computes baseline and noise without the first pass's structure, so a large
  // mark near an edge (where neighbourhoods are small) cannot raise the level it is measured against.
  const first = significance(median, width, height, params.zSignificant);
  const {
    residual,
    z,
    mask: sig,
    sigma,
  } = significance(median, width, height, params.zSignificant, dilate(first.mask, width, height, 2));
  for (let i = 0; i < size; i++) if (residual[i] < 0) residual[i] = 0;
  const lineRows = findLines(sig, width, height);
  // Every row of a line is set aside (a thin frame has an edge on each side), with room for resampling
  // blur: whatever a border or frame leaves there would otherwise pass for a mark.
  const band = lineBand(lineRows, width, height);
  for (let i = 0; i < size; i++) {
    if (!band[i]) continue;
    sig[i] = 0;
    z[i] = 0;
    residual[i] = 0;
  }
  const lines = mergeLines(lineRows);
  const { mark, total } = strongestMark(sig, z, width, height, params.joinRadius);
  const boxPx = mark ? mark.box : null;
  const bestEnergy = mark ? mark.energy : 0;
  const features: Features = {
    energy: bestEnergy,
    pixels: mark ? mark.pixels : 0,
    compactness: total > 0 ? bestEnergy / total : 0,
    area: boxPx ? ((boxPx.x1 - boxPx.x0 + 1) * (boxPx.y1 - boxPx.y0 + 1)) / size : 0,
    density:
      boxPx && mark
        ? Math.max(
            Math.min(1, mark.pixels / ((boxPx.x1 - boxPx.x0 + 1) * (boxPx.y1 - boxPx.y0 + 1))),
            stack.length >= params.softMinPhotos ? boxShareAbove(z, boxPx, width, params.softZ) : 0,
          )
        : 0,
    sigma,
    anchored: boxPx && mark && anchoredMark(toBox(boxPx, width, height), mark.pixels) ? 1 : 0,
  };
  return {
    width,
    height,
    photos: stack.length,
    score: mark ? scoreFeatures(features, params) : 0,
    box: boxPx ? toBox(boxPx, width, height) : null,
    boxPx,
    residual,
    lines,
    features,
  };
}
