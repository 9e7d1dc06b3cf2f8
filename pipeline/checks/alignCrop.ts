// Aligns a possible crop with its original on thumbnails: the best-matching window of the original, and how much they still differ.
import { FULL_FRAME, windowGrid, type LumaIntegral, type Window } from '../fingerprints/lumaWindows.ts';

const COARSE = 16;
const REFINE = 32;
const FINE = 64;
const BLOCK = 8;
const STARTS = 3;

function meanAbs(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

/** Largest mean absolute difference over 8×8 blocks of two 64×64 grids (the same measure as for near copies). */
export function worstBlock(a: Float64Array, b: Float64Array): number {
  let worst = 0;
  for (let by = 0; by < FINE; by += BLOCK) {
    for (let bx = 0; bx < FINE; bx += BLOCK) {
      let s = 0;
      for (let y = by; y < by + BLOCK; y++)
        for (let x = bx; x < bx + BLOCK; x++) s += Math.abs(a[y * FINE + x] - b[y * FINE + x]);
      worst = Math.max(worst, s / (BLOCK * BLOCK));
    }
  }
  return worst;
}

export type Alignment = { window: Window; difference: number };

/**
 * Windows of the coarse scan at 1 % steps: every offset of each scale minScale..1, (a) the same scale on both
 * axes, (b) one axis whole and the other at that scale (a side cut off, or a centred cut to another aspect
 * ratio: the crops real re-uploads make, which (a) cannot represent).
 */
function coarseWindows(minScale: number): Window[] {
  const out: Window[] = [];
  const steps = Math.round((1 - minScale) / 0.01);
  for (let k = 0; k <= steps; k++) {
    const s = 1 - k * 0.01;
    for (let j = 0; j <= k; j++)
      for (let i = 0; i <= k; i++) out.push({ x: i * 0.01, y: j * 0.01, w: s, h: s });
    if (k === 0) continue;
    for (let i = 0; i <= k; i++)
      out.push({ x: i * 0.01, y: 0, w: s, h: 1 }, { x: 0, y: i * 0.01, w: 1, h: s });
  }
  return out;
}
const COARSE_WINDOWS = new Map<number, Window[]>();

/**
 * Finds the window of `original` (scale minScale..1 of the frame on each axis) whose content best matches the
 * whole of `crop`: a coarse scan at 1 % steps on 16×16 renderings (coarseWindows), then from its best three
 * windows refinements halving the step, each axis's offset and scale on its own, on 32×32 and then 64×64
 * renderings, then the worst-block difference of the best window at 64×64.
 */
export function alignCrop(original: LumaIntegral, crop: LumaIntegral, minScale = 0.85): Alignment {
  const target = windowGrid(crop, FULL_FRAME, COARSE);
  const buf = new Float64Array(COARSE * COARSE);
  // Several starts: on flat or repetitive content the coarse optimum can sit in the wrong basin of scale.
  const starts: { win: Window; d: number }[] = [];
  let windows = COARSE_WINDOWS.get(minScale);
  if (!windows) COARSE_WINDOWS.set(minScale, (windows = coarseWindows(minScale)));
  for (const win of windows) {
    const d = meanAbs(windowGrid(original, win, COARSE, COARSE, buf), target);
    if (starts.length < STARTS || d < starts[STARTS - 1].d) {
      starts.push({ win, d });
      starts.sort((p, q) => p.d - q.d);
      starts.length = Math.min(starts.length, STARTS);
    }
  }
  const fine = windowGrid(crop, FULL_FRAME, FINE);
  let best: Alignment = { window: FULL_FRAME, difference: Infinity };
  for (const start of starts) {
    const window = refineFrom(original, crop, start.win);
    const difference = worstBlock(windowGrid(original, window, FINE), fine);
    if (difference < best.difference) best = { window, difference };
  }
  return best;
}

/** Refines on finer renderings: at 64×64 a 0.1 % misplacement still moves edges visibly. */
function refineFrom(original: LumaIntegral, crop: LumaIntegral, start: Window): Window {
  let best = start;
  for (const [side, from, to] of [
    [REFINE, 0.005, 0.001],
    [FINE, 0.001, 0.0002],
  ] as const) {
    const target = windowGrid(crop, FULL_FRAME, side);
    const grid = new Float64Array(side * side);
    let bestD = meanAbs(windowGrid(original, best, side, side, grid), target);
    for (let step = from; step > to; step /= 2)
      best = refine(
        best,
        step,
        (win) => meanAbs(windowGrid(original, win, side, side, grid), target),
        (d) => d < bestD && ((bestD = d), true),
      );
  }
  return best;
}

/**
 * One move of each kind at ±step from `centre`: each axis's offset, its size anchored at either edge or the
 * centre, and both sizes together; `accept` says whether a score improves. Moving one thing at a time costs 18
 * scores where all 80 joint neighbours in (x, y, w, h) cost 80, and the anchored size moves still let a cut
 * edge slide while the opposite one stays.
 */
function refine(
  centre: Window,
  step: number,
  score: (w: Window) => number,
  accept: (d: number) => boolean,
): Window {
  let best = centre;
  const moves: [dx: number, dy: number, dw: number, dh: number][] = [];
  for (const d of [-step, step]) {
    moves.push(
      [d, 0, 0, 0],
      [0, d, 0, 0],
      [0, 0, d, 0],
      [-d, 0, d, 0],
      [-d / 2, 0, d, 0],
      [0, 0, 0, d],
      [0, -d, 0, d],
      [0, -d / 2, 0, d],
      [-d / 2, -d / 2, d, d],
    );
  }
  for (const [dx, dy, dw, dh] of moves) {
    const w = Math.min(1, centre.w + dw);
    const h = Math.min(1, centre.h + dh);
    const win = { x: clamp(centre.x + dx, 0, 1 - w), y: clamp(centre.y + dy, 0, 1 - h), w, h };
    if (accept(score(win))) best = win;
  }
  return best;
}

const clamp = (v: number, lo: number, hi: number) => Math.min(hi, Math.max(lo, v));
