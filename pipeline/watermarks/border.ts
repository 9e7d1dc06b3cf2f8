// Uniform borders: bands of one grey along opposite edges of a photo (a minor edit, not a watermark).
import type { Gray } from './types.ts';

/** Band widths in frame pixels (0 = none on that side) and the band's grey level. */
export type PhotoBorder = { top: number; right: number; bottom: number; left: number; color: number };

const MIN_BAND = 2;
const MAX_BAND_SHARE = 0.15;

/** How many lines from an edge are flat and of the edge's grey: the width of a uniform band there. */
function bandWidth(g: Gray, side: 'top' | 'right' | 'bottom' | 'left'): { width: number; color: number } {
  const { data, width: w, height: h } = g;
  const horizontal = side === 'top' || side === 'bottom';
  const lines = horizontal ? h : w;
  const length = horizontal ? w : h;
  const at = (line: number, k: number) => {
    const l = side === 'top' || side === 'left' ? line : lines - 1 - line;
    return horizontal ? data[l * w + k] : data[k * w + l];
  };
  const stats = (line: number) => {
    let sum = 0,
      sq = 0;
    for (let k = 0; k < length; k++) {
      const v = at(line, k);
      sum += v;
      sq += v * v;
    }
    const mean = sum / length;
    return { mean, sd: Math.sqrt(Math.max(0, sq / length - mean * mean)) };
  };
  const edge = stats(0);
  if (edge.sd > 6) return { width: 0, color: edge.mean };
  const max = Math.floor(lines * MAX_BAND_SHARE);
  let n = 1;
  while (n <= max) {
    const s = stats(n);
    if (s.sd > 6 || Math.abs(s.mean - edge.mean) > 10) break;
    n++;
  }
  return { width: n > max ? 0 : n, color: edge.mean };
}

/** A uniform band on two opposite sides (or all four) of similar grey: a border or letterbox. */
export function detectPhotoBorder(g: Gray): PhotoBorder | null {
  const top = bandWidth(g, 'top'),
    bottom = bandWidth(g, 'bottom');
  const left = bandWidth(g, 'left'),
    right = bandWidth(g, 'right');
  const pair = (a: typeof top, b: typeof top) =>
    a.width >= MIN_BAND && b.width >= MIN_BAND && Math.abs(a.color - b.color) < 16;
  const vertical = pair(top, bottom);
  const horizontal = pair(left, right);
  if (!vertical && !horizontal) return null;
  const colors = [
    ...(vertical ? [top.color, bottom.color] : []),
    ...(horizontal ? [left.color, right.color] : []),
  ];
  return {
    top: vertical ? top.width : 0,
    bottom: vertical ? bottom.width : 0,
    left: horizontal ? left.width : 0,
    right: horizontal ? right.width : 0,
    color: Math.round(colors.reduce((a, b) => a + b, 0) / colors.length),
  };
}
