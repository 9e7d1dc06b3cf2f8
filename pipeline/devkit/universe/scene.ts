// Builds a photo's scene as SVG in a fixed coordinate system, so any size or crop renders the same picture.
import { createRng, type Rng } from '../random.ts';
import type { ImageRecipe, WatermarkSpec } from './types.ts';

export const SCENE_WIDTH = 1000;

const hsl = (h: number, s: number, l: number) => `hsl(${Math.round(h)},${Math.round(s)}%,${Math.round(l)}%)`;
const esc = (t: string) => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

function photoScene(rng: Rng, w: number, h: number): string {
  const sky = rng.int(0, 360);
  const ground = (sky + rng.int(60, 200)) % 360;
  const parts = [
    `<defs><linearGradient id="bg" x1="0" y1="0" x2="0" y2="1"><stop offset="0" stop-color="${hsl(sky, 45, 70)}"/>` +
      `<stop offset="0.55" stop-color="${hsl(sky + 20, 35, 55)}"/><stop offset="1" stop-color="${hsl(ground, 40, 30)}"/></linearGradient>`,
  ];
  const blobs = rng.int(4, 9);
  for (let i = 0; i < blobs; i++) {
    parts.push(
      `<radialGradient id="b${i}"><stop offset="0" stop-color="${hsl(rng.int(0, 360), 55, rng.int(25, 75))}" stop-opacity="0.9"/>` +
        `<stop offset="1" stop-color="${hsl(rng.int(0, 360), 40, 50)}" stop-opacity="0"/></radialGradient>`,
    );
  }
  parts.push(`</defs><rect width="${w}" height="${h}" fill="url(#bg)"/>`);
  for (let i = 0; i < blobs; i++) {
    parts.push(
      `<ellipse cx="${rng.int(0, w)}" cy="${rng.int(0, h)}" rx="${rng.int(60, 380)}" ry="${rng.int(50, 300)}" fill="url(#b${i})"/>`,
    );
  }
  const hills = rng.int(1, 3);
  for (let i = 0; i < hills; i++) {
    const base = h * (0.6 + rng.next() * 0.3);
    const pts = [`0,${h}`];
    for (let x = 0; x <= w; x += 125) pts.push(`${x},${Math.round(base - rng.next() * h * 0.25)}`);
    pts.push(`${w},${h}`);
    const hue = ground + rng.int(-30, 30);
    const light = rng.int(15, 40);
    // Shaded, not flat: real scenes have no large areas of one colour.
    parts.push(
      `<linearGradient id="h${i}" x1="0" y1="0" x2="${rng.next().toFixed(2)}" y2="1"><stop offset="0" stop-color="${hsl(hue, 40, light + 18)}"/>` +
        `<stop offset="1" stop-color="${hsl(hue + 25, 30, light - 8)}"/></linearGradient>`,
    );
    parts.push(`<polygon points="${pts.join(' ')}" fill="url(#h${i})" opacity="0.85"/>`);
  }
  return parts.join('');
}

function illustrationScene(rng: Rng, w: number, h: number): string {
  const base = rng.int(0, 360);
  const palette = [0, 90, 180, 270].map((d) => hsl(base + d, rng.int(55, 85), rng.int(40, 65)));
  const parts = [`<rect width="${w}" height="${h}" fill="${hsl(base + 45, 30, 92)}"/>`];
  const shapes = rng.int(3, 7);
  for (let i = 0; i < shapes; i++) {
    const fill = rng.pick(palette);
    const stroke = rng.chance(0.5) ? ' stroke="#111" stroke-width="8"' : '';
    const x = rng.int(50, w - 50);
    const y = rng.int(50, h - 50);
    const s = rng.int(60, 260);
    const shape = rng.int(0, 2);
    if (shape === 0) parts.push(`<circle cx="${x}" cy="${y}" r="${s}" fill="${fill}"${stroke}/>`);
    else if (shape === 1)
      parts.push(
        `<rect x="${x - s}" y="${y - s / 2}" width="${2 * s}" height="${s}" fill="${fill}"${stroke}/>`,
      );
    else
      parts.push(
        `<polygon points="${x},${y - s} ${x + s},${y + s} ${x - s},${y + s}" fill="${fill}"${stroke}/>`,
      );
  }
  return parts.join('');
}

const WORDS = [
  'File',
  'Edit',
  'View',
  'Settings',
  'Inbox',
  'Report',
  'Total',
  'Status',
  'Search',
  'Export',
  'Queue',
  'Owner',
  'Updated',
  'Draft',
];

function screenshotScene(rng: Rng, w: number, h: number): string {
  const accent = hsl(rng.int(180, 260), 60, 45);
  const parts = [
    `<rect width="${w}" height="${h}" fill="#eceff1"/>`,
    `<rect width="${w}" height="${h * 0.07}" fill="#263238"/>`,
    `<rect y="${h * 0.07}" width="${w * 0.2}" height="${h}" fill="#cfd8dc"/>`,
  ];
  const font = 'font-family="DejaVu Sans, sans-serif"';
  parts.push(
    `<text x="20" y="${h * 0.05}" font-size="${h * 0.035}" fill="#fff" ${font}>${rng.pick(WORDS)} — ${rng.pick(WORDS)}</text>`,
  );
  for (let i = 0; i < 8; i++)
    parts.push(
      `<text x="20" y="${h * (0.14 + i * 0.07)}" font-size="${h * 0.03}" fill="#37474f" ${font}>${rng.pick(WORDS)}</text>`,
    );
  const cards = rng.int(2, 4);
  for (let c = 0; c < cards; c++) {
    const x = w * 0.23 + (c % 2) * w * 0.38;
    const y = h * 0.1 + Math.floor(c / 2) * h * 0.45;
    parts.push(
      `<rect x="${x}" y="${y}" width="${w * 0.35}" height="${h * 0.4}" fill="#fff" stroke="#b0bec5" stroke-width="2"/>`,
    );
    for (let l = 0; l < 6; l++) {
      parts.push(
        `<text x="${x + 14}" y="${y + h * (0.05 + l * 0.055)}" font-size="${h * 0.028}" fill="#455a64" ${font}>` +
          `${rng.pick(WORDS)} ${rng.int(1, 9999)} ${rng.pick(WORDS).toLowerCase()}</text>`,
      );
    }
    parts.push(
      `<rect x="${x + 14}" y="${y + h * 0.34}" width="${w * 0.08}" height="${h * 0.04}" rx="6" fill="${accent}"/>`,
    );
  }
  return parts.join('');
}

/** The account's mark, in scene coordinates, sized relative to the scene so every rendition carries it alike. */
export function watermarkSvg(mark: WatermarkSpec, w: number, h: number): string {
  const size = Math.round(w * 0.045);
  const margin = w * 0.03;
  const right = mark.corner.endsWith('right');
  const bottom = mark.corner.startsWith('bottom');
  const x = right ? w - margin : margin;
  const y = bottom ? h - margin : margin + size;
  const anchor = right ? 'end' : 'start';
  const text = `<text x="${x}" y="${y}" text-anchor="${anchor}" font-size="${size}" font-weight="bold" font-family="DejaVu Sans, sans-serif" fill="#fff" stroke="#000" stroke-width="${size * 0.04}">${esc(mark.text)}</text>`;
  if (mark.style === 'text') return `<g opacity="${mark.opacity}">${text}</g>`;
  const r = size * 0.9;
  const cx = right ? x - r : x + r;
  const cy = y - size * 0.35 - (bottom ? size * 1.4 : -size * 0.2);
  const logo =
    `<circle cx="${cx}" cy="${cy}" r="${r}" fill="#fff" stroke="#000" stroke-width="${size * 0.08}"/>` +
    `<polygon points="${cx},${cy - r * 0.6} ${cx + r * 0.55},${cy + r * 0.45} ${cx - r * 0.55},${cy + r * 0.45}" fill="#000"/>`;
  const shift = bottom ? 0 : r * 2.2;
  return `<g opacity="${mark.opacity}">${logo}<g transform="translate(0 ${shift})">${text}</g></g>`;
}

/** SVG of the recipe's scene rendered at `width`×`height` pixels (the crop of a near-duplicate applied). */
export function sceneSvg(
  recipe: ImageRecipe,
  width: number,
  height: number,
  aspect = width / height,
): string {
  const crop = recipe.derived?.crop;
  // `aspect` is the original's, so every rendition shares one scene; a crop's viewBox is its part of that scene.
  const w = SCENE_WIDTH;
  const h = Math.round(SCENE_WIDTH / aspect);
  const rng = createRng(recipe.seed);
  const body =
    recipe.kind === 'illustration'
      ? illustrationScene(rng, w, h)
      : recipe.kind === 'screenshot'
        ? screenshotScene(rng, w, h)
        : photoScene(rng, w, h);
  const mark = recipe.watermark ? watermarkSvg(recipe.watermark, w, h) : '';
  const vb = crop ? `${crop.left * w} ${crop.top * h} ${crop.width * w} ${crop.height * h}` : `0 0 ${w} ${h}`;
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="${vb}" preserveAspectRatio="none">${body}${mark}</svg>`;
}
