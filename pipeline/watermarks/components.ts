// Finds the strongest compact group of consistent pixels (the mark) and its box.
import { dilate, label } from './mask.ts';

export type PixelBox = { x0: number; y0: number; x1: number; y1: number };
export type Mark = { box: PixelBox; energy: number; pixels: number };

/** z above this counts no more: one saturated edge should not outweigh a whole faint logo. */
export const Z_CAP = 30;
/** Words of a text mark are separate components when spaced wider than the join radius. */
const MERGE_GAP = 6;
/** Share of the mark's energy cut from each side of its box, so stray pixels joined by dilation do not stretch it. */
const TRIM = 0.015;
/** Pixels below this share of the mark's 90th-percentile z do not stretch its box. */
const CORE_SHARE = 0.4;

type Component = { energy: number; pixels: number; box: PixelBox };

function measure(
  sig: Uint8Array,
  z: Float32Array,
  labels: Int32Array,
  count: number,
  width: number,
  height: number,
): Component[] {
  const comps: Component[] = Array.from({ length: count + 1 }, () => ({
    energy: 0,
    pixels: 0,
    box: { x0: width, y0: height, x1: -1, y1: -1 },
  }));
  for (let i = 0; i < sig.length; i++) {
    if (!sig[i]) continue;
    const c = comps[labels[i]];
    c.energy += Math.min(Z_CAP, z[i]);
    c.pixels++;
    const x = i % width,
      y = (i - x) / width,
      b = c.box;
    if (x < b.x0) b.x0 = x;
    if (x > b.x1) b.x1 = x;
    if (y < b.y0) b.y0 = y;
    if (y > b.y1) b.y1 = y;
  }
  return comps;
}

/** The strongest component plus substantial ones right next to it (the other words of a text). */
function group(comps: Component[], best: number): Set<number> {
  const taken = new Set([best]);
  const box = { ...comps[best].box };
  for (let grew = true; grew; ) {
    grew = false;
    const gap = Math.min(2 * MERGE_GAP, Math.max(MERGE_GAP, Math.round((box.y1 - box.y0 + 1) * 0.6)));
    for (let l = 1; l < comps.length; l++) {
      const b = comps[l].box;
      if (taken.has(l) || comps[l].energy === 0 || comps[l].energy < 0.05 * comps[best].energy) continue;
      if (Math.max(0, b.x0 - box.x1, box.x0 - b.x1) > gap || Math.max(0, b.y0 - box.y1, box.y0 - b.y1) > gap)
        continue;
      taken.add(l);
      grew = true;
      box.x0 = Math.min(box.x0, b.x0);
      box.y0 = Math.min(box.y0, b.y0);
      box.x1 = Math.max(box.x1, b.x1);
      box.y1 = Math.max(box.y1, b.y1);
    }
  }
  return taken;
}

/** Index range holding all but `trim` of the histogram's mass at each end. */
function trimmedRange(hist: Float64Array, trim: number): [number, number] {
  const total = hist.reduce((a, b) => a + b, 0);
  let lo = 0,
    acc = 0;
  while (lo < hist.length - 1 && acc + hist[lo] <= trim * total) acc += hist[lo++];
  let hi = hist.length - 1;
  acc = 0;
  while (hi > lo && acc + hist[hi] <= trim * total) acc += hist[hi--];
  return [lo, hi];
}

/** Central differences light the pixel on each side of an ink edge: the ink itself is a pixel inside. */
function shrink([lo, hi]: [number, number]): [number, number] {
  return hi - lo >= 4 ? [lo + 1, hi - 1] : [lo, hi];
}

/** The mark with the most energy among significant pixels, and the energy of all significant pixels. */
export function strongestMark(
  sig: Uint8Array,
  z: Float32Array,
  width: number,
  height: number,
  joinRadius: number,
): { mark: Mark | null; total: number } {
  const { labels, count } = label(dilate(sig, width, height, joinRadius), width, height);
  const comps = measure(sig, z, labels, count, width, height);
  let total = 0;
  let best = 0;
  for (let l = 1; l <= count; l++) {
    total += comps[l].energy;
    if (comps[l].energy > 0 && (best === 0 || comps[l].energy > comps[best].energy)) best = l;
  }
  if (best === 0) return { mark: null, total };
  const members = group(comps, best);
  // The box is drawn around the mark's core: a strong mark's edges stand far above noise joined to it.
  const zs: number[] = [];
  for (let i = 0; i < sig.length; i++)
    if (sig[i] && members.has(labels[i]) && comps[labels[i]].energy > 0) zs.push(Math.min(Z_CAP, z[i]));
  zs.sort((a, b) => a - b);
  const core = CORE_SHARE * zs[Math.floor(0.9 * (zs.length - 1))];
  const histX = new Float64Array(width);
  const histY = new Float64Array(height);
  let energy = 0,
    pixels = 0;
  for (let i = 0; i < sig.length; i++) {
    if (!sig[i] || !members.has(labels[i]) || comps[labels[i]].energy === 0) continue;
    const e = Math.min(Z_CAP, z[i]);
    energy += e;
    pixels++;
    if (e < core) continue;
    const x = i % width;
    histX[x] += e;
    histY[(i - x) / width] += e;
  }
  const [x0, x1] = shrink(trimmedRange(histX, TRIM));
  const [y0, y1] = shrink(trimmedRange(histY, TRIM));
  return { mark: { box: { x0, y0, x1, y1 }, energy, pixels }, total };
}
