// Frames and border edges: straight lines that every photo has across the whole frame, found and set aside.
/** A line spanning the frame at a pixel row (h) or column (v). */
export type LinePx = { axis: 'h' | 'v'; px: number };

/** Rows and columns where most of the span is significant: frame or border edges, not compact marks. */
export function findLines(sig: Uint8Array, width: number, height: number, minShare = 0.6): LinePx[] {
  const lines: LinePx[] = [];
  const x0 = Math.floor(width * 0.05),
    x1 = Math.ceil(width * 0.95);
  const y0 = Math.floor(height * 0.05),
    y1 = Math.ceil(height * 0.95);
  for (let y = 0; y < height; y++) {
    let n = 0;
    for (let x = x0; x < x1; x++) n += sig[y * width + x];
    if (n >= minShare * (x1 - x0)) lines.push({ axis: 'h', px: y });
  }
  for (let x = 0; x < width; x++) {
    let n = 0;
    for (let y = y0; y < y1; y++) n += sig[y * width + x];
    if (n >= minShare * (y1 - y0)) lines.push({ axis: 'v', px: x });
  }
  return lines;
}

/** The pixels within `pad` of each line. */
export function lineBand(lines: LinePx[], width: number, height: number, pad = 3): Uint8Array {
  const mask = new Uint8Array(width * height);
  for (const line of lines) {
    const dim = line.axis === 'h' ? height : width;
    for (let p = Math.max(0, line.px - pad); p <= Math.min(dim - 1, line.px + pad); p++) {
      if (line.axis === 'h') mask.fill(1, p * width, (p + 1) * width);
      else for (let y = 0; y < height; y++) mask[y * width + p] = 1;
    }
  }
  return mask;
}

/** Adjacent line rows/columns merged into one line at their middle. */
export function mergeLines(lines: LinePx[]): LinePx[] {
  const out: LinePx[] = [];
  for (const axis of ['h', 'v'] as const) {
    const pos = lines
      .filter((l) => l.axis === axis)
      .map((l) => l.px)
      .sort((a, b) => a - b);
    let start = 0;
    for (let i = 1; i <= pos.length; i++) {
      if (i === pos.length || pos[i] - pos[i - 1] > 2) {
        out.push({ axis, px: Math.round((pos[start] + pos[i - 1]) / 2) });
        start = i;
      }
    }
  }
  return out;
}

/** Whether a photo's own edges follow the account's frame lines (its mean gradient on them stands out). */
export function photoHasLines(mag: Float32Array, width: number, height: number, lines: LinePx[]): boolean {
  if (lines.length === 0) return false;
  let hits = 0;
  for (const line of lines) {
    const along = line.axis === 'h' ? width : height;
    const lineMean = (offset: number) => {
      const p = line.px + offset;
      if (p < 0 || p >= (line.axis === 'h' ? height : width)) return 0;
      let s = 0;
      for (let k = Math.floor(along * 0.05); k < Math.ceil(along * 0.95); k++)
        s += line.axis === 'h' ? mag[p * width + k] : mag[k * width + p];
      return s / (Math.ceil(along * 0.95) - Math.floor(along * 0.05));
    };
    const on = Math.max(lineMean(-1), lineMean(0), lineMean(1));
    const off = (lineMean(-5) + lineMean(5)) / 2;
    if (on > 2.5 * off + 1) hits++;
  }
  return hits * 2 >= lines.length;
}
