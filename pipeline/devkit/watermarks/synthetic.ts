// Stamps text and logo watermarks and adds borders or frames to images, for tests and the demo universe.
import sharp, { type OverlayOptions } from 'sharp';
import type { Box, RawImage } from '../../watermarks/types.ts';

export type Corner = 'top-left' | 'top-right' | 'bottom-left' | 'bottom-right' | 'bottom-center' | 'center';
export type LogoShape = 'camera' | 'ring' | 'star' | 'monogram';

export type WatermarkSpec = {
  kind: 'text' | 'logo';
  /** Text of a text watermark, or the initials of a monogram logo. */
  text: string;
  logo?: LogoShape;
  /** CSS colour of the mark, e.g. '#ffffff'. */
  color: string;
  /** 0..1; photographers' marks range from faint (0.3) to nearly solid (0.8). */
  opacity: number;
  corner: Corner;
  /** Width of the mark as a fraction of the image width. */
  size: number;
  /** Distance from the edges as a fraction of the image's shorter side. */
  margin: number;
  /** A dark offset copy under the mark, as many watermark presets add. */
  shadow?: boolean;
  /** Pixel offset applied to this photo only (export tools round positions differently). */
  jitter?: { dx: number; dy: number };
};

export type BorderSpec =
  /** A uniform band added around the photo (the canvas grows). */
  | { kind: 'border'; width: number; color: string }
  /** A thin line drawn over the photo at an inset from its edges. */
  | { kind: 'frame'; inset: number; thickness: number; color: string };

function escapeMarkup(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function logoSvg(shape: LogoShape, color: string, initials: string): string {
  const body: Record<LogoShape, string> = {
    camera: `<rect x="6" y="28" width="88" height="60" rx="10" fill="none" stroke="${color}" stroke-width="8"/>
      <rect x="34" y="14" width="32" height="16" rx="4" fill="${color}"/>
      <circle cx="50" cy="58" r="18" fill="none" stroke="${color}" stroke-width="8"/>`,
    ring: `<circle cx="50" cy="50" r="42" fill="none" stroke="${color}" stroke-width="9"/>
      <path d="M22 70 L42 36 L54 56 L62 44 L80 70 Z" fill="${color}"/>`,
    star: `<path d="M50 4 L61 38 L97 38 L68 59 L79 94 L50 73 L21 94 L32 59 L3 38 L39 38 Z" fill="none" stroke="${color}" stroke-width="7"/>`,
    monogram: `<circle cx="50" cy="50" r="44" fill="none" stroke="${color}" stroke-width="6"/>
      <text x="50" y="64" text-anchor="middle" font-family="DejaVu Sans, Liberation Sans, sans-serif" font-weight="bold" font-size="40" fill="${color}">${escapeMarkup(initials.slice(0, 2))}</text>`,
  };
  return `<svg xmlns="http://www.w3.org/2000/svg" width="400" height="400" viewBox="0 0 100 100">${body[shape]}</svg>`;
}

/** The mark alone as RGBA at `width` pixels wide, alpha scaled by the opacity. */
async function renderMark(spec: WatermarkSpec, width: number, color = spec.color): Promise<RawImage> {
  const source =
    spec.kind === 'text'
      ? sharp({
          text: {
            text: `<span foreground="${color}">${escapeMarkup(spec.text)}</span>`,
            font: 'DejaVu Sans Bold',
            dpi: 400,
            rgba: true,
          },
        })
      : sharp(Buffer.from(logoSvg(spec.logo ?? 'ring', color, spec.text)));
  const { data, info } = await source
    .resize({ width: Math.max(4, Math.round(width)) })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  for (let i = 3; i < data.length; i += 4) data[i] = Math.round(data[i] * spec.opacity);
  return { data, width: info.width, height: info.height, channels: 4 };
}

/** Bounding box of the pixels a mark actually covers, in its own pixel coordinates. */
function inkBox(mark: RawImage): { x0: number; y0: number; x1: number; y1: number } {
  let x0 = mark.width,
    y0 = mark.height,
    x1 = -1,
    y1 = -1;
  for (let y = 0; y < mark.height; y++) {
    for (let x = 0; x < mark.width; x++) {
      if (mark.data[(y * mark.width + x) * 4 + 3] < 8) continue;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  return x1 < 0 ? { x0: 0, y0: 0, x1: mark.width - 1, y1: mark.height - 1 } : { x0, y0, x1, y1 };
}

function placement(
  spec: WatermarkSpec,
  image: RawImage,
  markW: number,
  markH: number,
): { left: number; top: number } {
  const m = Math.round(spec.margin * Math.min(image.width, image.height));
  const right = image.width - markW - m;
  const bottom = image.height - markH - m;
  const centerX = Math.round((image.width - markW) / 2);
  const pos: Record<Corner, [number, number]> = {
    'top-left': [m, m],
    'top-right': [right, m],
    'bottom-left': [m, bottom],
    'bottom-right': [right, bottom],
    'bottom-center': [centerX, bottom],
    center: [centerX, Math.round((image.height - markH) / 2)],
  };
  const [left, top] = pos[spec.corner];
  const clamp = (v: number, max: number) => Math.max(0, Math.min(max, v));
  return {
    left: clamp(left + (spec.jitter?.dx ?? 0), image.width - markW),
    top: clamp(top + (spec.jitter?.dy ?? 0), image.height - markH),
  };
}

// Rendering text through pango dominates stamping; an account stamps the same mark on every photo.
const markCache = new Map<string, RawImage>();

async function cachedMark(spec: WatermarkSpec, width: number, color?: string): Promise<RawImage> {
  const key = JSON.stringify([
    spec.kind,
    spec.text,
    spec.logo,
    color ?? spec.color,
    spec.opacity,
    Math.round(width),
  ]);
  let mark = markCache.get(key);
  if (!mark) {
    mark = await renderMark(spec, width, color);
    if (markCache.size >= 64) markCache.delete(markCache.keys().next().value as string);
    markCache.set(key, mark);
  }
  return mark;
}

/** Composites a watermark onto an image; returns the new image and the box the mark's ink covers. */
export async function stampWatermark(
  image: RawImage,
  spec: WatermarkSpec,
): Promise<{ image: RawImage; box: Box }> {
  const mark = await cachedMark(spec, Math.min(spec.size * image.width, image.width * 0.95));
  const w = Math.min(mark.width, image.width);
  const h = Math.min(mark.height, image.height);
  const { left, top } = placement(spec, image, w, h);
  const layers: OverlayOptions[] = [];
  if (spec.shadow) {
    const shadow = await cachedMark({ ...spec, opacity: spec.opacity * 0.6 }, mark.width, '#000000');
    const off = Math.max(1, Math.round(image.width / 400));
    layers.push({
      input: shadow.data,
      raw: { width: shadow.width, height: shadow.height, channels: 4 },
      left: Math.min(left + off, image.width - shadow.width),
      top: Math.min(top + off, image.height - shadow.height),
    });
  }
  layers.push({ input: mark.data, raw: { width: mark.width, height: mark.height, channels: 4 }, left, top });
  const out = await sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: image.channels },
  })
    .composite(layers)
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  const ink = inkBox(mark);
  const box: Box = {
    x: (left + ink.x0) / image.width,
    y: (top + ink.y0) / image.height,
    w: (ink.x1 - ink.x0 + 1) / image.width,
    h: (ink.y1 - ink.y0 + 1) / image.height,
  };
  return { image: { data: out.data, width: out.info.width, height: out.info.height, channels: 3 }, box };
}

/** Adds a uniform border around the image (it grows) or draws a thin frame line inside it. */
export async function addBorder(image: RawImage, spec: BorderSpec): Promise<RawImage> {
  const input = sharp(image.data, {
    raw: { width: image.width, height: image.height, channels: image.channels },
  });
  const short = Math.min(image.width, image.height);
  let result: ReturnType<typeof sharp>;
  if (spec.kind === 'border') {
    const px = Math.max(1, Math.round(spec.width * short));
    result = input.extend({ top: px, bottom: px, left: px, right: px, background: spec.color });
  } else {
    const inset = Math.round(spec.inset * short);
    const t = Math.max(1, Math.round(spec.thickness * short));
    const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${image.width}" height="${image.height}">
      <rect x="${inset + t / 2}" y="${inset + t / 2}" width="${image.width - 2 * inset - t}" height="${image.height - 2 * inset - t}" fill="none" stroke="${spec.color}" stroke-width="${t}"/></svg>`;
    result = input.composite([{ input: Buffer.from(svg), left: 0, top: 0 }]);
  }
  const { data, info } = await result.removeAlpha().raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height, channels: 3 };
}

/** The stored analysis thumbnail of a photo: long side 256 px, WebP, as the fetch stage writes it. */
export async function toThumbnail(image: RawImage, longSide = 256): Promise<Buffer> {
  const landscape = image.width >= image.height;
  return sharp(image.data, { raw: { width: image.width, height: image.height, channels: image.channels } })
    .resize(landscape ? { width: longSide } : { height: longSide })
    .webp({ quality: 80 })
    .toBuffer();
}
