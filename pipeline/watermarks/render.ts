// Draws the estimated watermark (consistent edges over the common frame) as a PNG, with its box and frame lines.
import sharp from 'sharp';
import type { LinePx } from './lines.ts';
import type { PixelBox } from './components.ts';
import { quantile } from './gradients.ts';

export type RenderInput = {
  residual: Float32Array;
  width: number;
  height: number;
  box: PixelBox | null;
  lines: LinePx[];
};

const BOX = [255, 64, 64] as const;
const LINE = [64, 140, 255] as const;

function setPixel(rgb: Buffer, width: number, x: number, y: number, color: readonly number[]): void {
  const i = (y * width + x) * 3;
  rgb[i] = color[0];
  rgb[i + 1] = color[1];
  rgb[i + 2] = color[2];
}

/**
 * Edges in white on black over the whole frame at `scale`×, so a reviewer sees the mark's shape and where it
 * sits (the UI overlays the box from the summary; `drawBox` draws it in for standalone viewing).
 */
export async function renderWatermark(
  input: RenderInput,
  opts: { scale?: number; drawBox?: boolean } = {},
): Promise<Buffer> {
  const scale = opts.scale ?? 2;
  const { residual, width, height, box, lines } = input;
  // Normalise by a high quantile of the mark itself, so faint marks are as visible as strong ones.
  const inside: number[] = [];
  if (box)
    for (let y = box.y0; y <= box.y1; y++)
      for (let x = box.x0; x <= box.x1; x++) inside.push(residual[y * width + x]);
  const top = Math.max(1e-3, quantile(inside.length ? inside : residual, 0.98));
  const rgb = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) {
    const v = Math.min(255, Math.round((residual[i] / top) * 255));
    rgb[i * 3] = rgb[i * 3 + 1] = rgb[i * 3 + 2] = v;
  }
  for (const line of lines) {
    if (line.axis === 'h') for (let x = 0; x < width; x += 2) setPixel(rgb, width, x, line.px, LINE);
    else for (let y = 0; y < height; y += 2) setPixel(rgb, width, line.px, y, LINE);
  }
  const image = sharp(rgb, { raw: { width, height, channels: 3 } }).resize(width * scale, height * scale, {
    kernel: 'nearest',
  });
  if (!box || !opts.drawBox) return image.png().toBuffer();
  const s = scale;
  const outline = `<svg xmlns="http://www.w3.org/2000/svg" width="${width * s}" height="${height * s}">
    <rect x="${box.x0 * s - 2}" y="${box.y0 * s - 2}" width="${(box.x1 - box.x0 + 1) * s + 4}" height="${(box.y1 - box.y0 + 1) * s + 4}"
      fill="none" stroke="rgb(${BOX.join(',')})" stroke-width="2"/></svg>`;
  return sharp(await image.png().toBuffer())
    .composite([{ input: Buffer.from(outline) }])
    .png()
    .toBuffer();
}
