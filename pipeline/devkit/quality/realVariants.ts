// Copies of a real photograph with known truth (crops, aspect crops, resizes, re-encodes, colour edits, borders, captions), as JPEG bytes.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import sharp, { type Sharp } from 'sharp';
import type { SourcePhoto } from './debianPhotos.ts';
import { createRng } from '../random.ts';

/** Long side of the uploaded "original": Flickr's _b size, what the analysis fetches. */
export const ORIGINAL_LONG_SIDE = 1024;

/** `aspect` crops that remove ≤ 10 % of the area are the target; larger ones (`aspect_large`) are reported apart. */
export type VariantKind =
  | 'exact'
  | 'resize'
  | 'reencode'
  | 'colour'
  | 'border'
  | 'caption'
  | 'crop_side'
  | 'aspect'
  | 'aspect_large';
export type Variant = {
  kind: VariantKind;
  label: string;
  bytes: Buffer /** Fraction of the original's area removed (crops). */;
  cropped?: number;
};

export const ASPECTS: readonly [label: string, ratio: number][] = [
  ['16:9', 16 / 9],
  ['16:10', 16 / 10],
  ['4:3', 4 / 3],
  ['3:2', 3 / 2],
  ['1:1', 1],
  ['9:16', 9 / 16],
];

type Master = { data: Buffer; width: number; height: number };

const jpeg = (img: Sharp, quality = 90) => img.jpeg({ quality }).toBuffer();
const rawImage = (m: Master) => sharp(m.data, { raw: { width: m.width, height: m.height, channels: 3 } });
/** Pixels of the master at the original's scale: a crop keeps the original's pixel density, as a re-upload would. */
const scaleOf = (m: Master) => Math.min(1, ORIGINAL_LONG_SIDE / Math.max(m.width, m.height));

async function cropTo(
  m: Master,
  left: number,
  top: number,
  width: number,
  height: number,
  quality = 90,
): Promise<Buffer> {
  const s = scaleOf(m);
  return jpeg(
    rawImage(m)
      .extract({ left, top, width, height })
      .resize(Math.max(1, Math.round(width * s)), Math.max(1, Math.round(height * s))),
    quality,
  );
}

/** The source decoded once: alpha flattened on white, EXIF orientation applied, long side at most 2048. */
export async function loadMaster(file: string): Promise<Master> {
  const { data, info } = await sharp(file)
    .rotate()
    .flatten({ background: '#ffffff' })
    .resize(2048, 2048, { fit: 'inside', withoutEnlargement: true })
    .toColourspace('srgb')
    .removeAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3) {
    const rgb = await sharp(data, {
      raw: { width: info.width, height: info.height, channels: info.channels },
    })
      .toColourspace('srgb')
      .removeAlpha()
      .raw()
      .toBuffer();
    return { data: rgb, width: info.width, height: info.height };
  }
  return { data, width: info.width, height: info.height };
}

export async function originalOf(m: Master): Promise<Buffer> {
  return jpeg(
    rawImage(m).resize(ORIGINAL_LONG_SIDE, ORIGINAL_LONG_SIDE, { fit: 'inside', withoutEnlargement: true }),
    90,
  );
}

function captionSvg(width: number, height: number, text: string, corner: number): Buffer {
  const size = Math.max(10, Math.round(height * 0.035));
  const x = corner % 2 ? width - size : size;
  const y = corner < 2 ? size * 1.6 : height - size;
  const anchor = corner % 2 ? 'end' : 'start';
  return Buffer.from(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}"><text x="${x}" y="${y}" font-family="DejaVu Sans, sans-serif" font-size="${size}" fill="#fff" fill-opacity="0.85" stroke="#000" stroke-opacity="0.5" stroke-width="1" text-anchor="${anchor}">${text}</text></svg>`,
  );
}

/**
 * Every variant of one source, deterministic per `seed`: one-side crops of 1–10 % (one per whole percent band),
 * centred crops to each common aspect ratio other than the photo's own, and one of each other edit.
 */
export async function makeVariants(m: Master, seed: string): Promise<Variant[]> {
  const rng = createRng(seed);
  const original = await originalOf(m);
  const meta = await sharp(original).metadata();
  const ow = meta.width!;
  const oh = meta.height!;
  const out: Variant[] = [{ kind: 'exact', label: 'exact', bytes: original }];
  const f = 0.5 + rng.next() * 0.3;
  out.push({
    kind: 'resize',
    label: `resize ${f.toFixed(2)}`,
    bytes: await jpeg(sharp(original).resize(Math.round(ow * f), Math.round(oh * f)), 88),
  });
  const q = rng.int(60, 95);
  out.push({ kind: 'reencode', label: `reencode q${q}`, bytes: await jpeg(sharp(original), q) });
  const gamma = 1 + rng.next() * 0.5;
  const brightness = 0.9 + rng.next() * 0.2;
  const saturation = 0.8 + rng.next() * 0.4;
  out.push({
    kind: 'colour',
    label: `colour γ${gamma.toFixed(2)} b${brightness.toFixed(2)} s${saturation.toFixed(2)}`,
    bytes: await jpeg(sharp(original).gamma(gamma).modulate({ brightness, saturation }), 90),
  });
  const border = Math.max(2, Math.round(ow * (0.01 + rng.next() * 0.02)));
  const colour = rng.pick(['#ffffff', '#000000', '#808080']);
  out.push({
    kind: 'border',
    label: `border ${border}px ${colour}`,
    bytes: await jpeg(
      sharp(original).extend({
        top: border,
        bottom: border,
        left: border,
        right: border,
        background: colour,
      }),
      90,
    ),
  });
  const corner = rng.int(0, 3);
  out.push({
    kind: 'caption',
    label: `caption corner ${corner}`,
    bytes: await jpeg(
      sharp(original).composite([{ input: captionSvg(ow, oh, '© Quarry test 2026', corner) }]),
      90,
    ),
  });
  for (let pct = 1; pct <= 10; pct++) {
    const a = (pct - 1 + rng.next()) / 100;
    const side = rng.int(0, 3);
    const { width: W, height: H } = m;
    const horizontal = side < 2;
    const keep = Math.round((horizontal ? W : H) * (1 - a));
    const cut = (horizontal ? W : H) - keep;
    const [left, top, width, height] = horizontal
      ? [side === 0 ? cut : 0, 0, keep, H]
      : [0, side === 2 ? cut : 0, W, keep];
    out.push({
      kind: 'crop_side',
      label: `crop ${(100 * a).toFixed(1)}% ${['left', 'right', 'top', 'bottom'][side]}`,
      bytes: await cropTo(m, left, top, width, height),
      cropped: a,
    });
  }
  for (const [label, ratio] of ASPECTS) {
    const own = m.width / m.height;
    if (Math.abs(Math.log(own / ratio)) < 0.01) continue;
    const [width, height] =
      own > ratio ? [Math.round(m.height * ratio), m.height] : [m.width, Math.round(m.width / ratio)];
    const cropped = 1 - (width * height) / (m.width * m.height);
    out.push({
      kind: cropped <= 0.1 + 1e-9 ? 'aspect' : 'aspect_large',
      label: `aspect ${label} (${(100 * cropped).toFixed(1)}%)`,
      bytes: await cropTo(
        m,
        Math.floor((m.width - width) / 2),
        Math.floor((m.height - height) / 2),
        width,
        height,
      ),
      cropped,
    });
  }
  return out;
}

/** Bump when makeVariants changes: cached variants of another version are made again. */
const VARIANTS_VERSION = 1;

/** The variants of one source, made once and kept in the cache (encoding them is most of an evaluation's time). */
export async function cachedVariants(src: SourcePhoto, cacheDir: string): Promise<Variant[]> {
  const dir = path.join(cacheDir, `variants-v${VARIANTS_VERSION}`, src.pkg, src.name);
  const manifest = path.join(dir, 'variants.json');
  if (existsSync(manifest)) {
    const list = JSON.parse(await readFile(manifest, 'utf8')) as Omit<Variant, 'bytes'>[];
    return Promise.all(
      list.map(async (v, i) => ({ ...v, bytes: await readFile(path.join(dir, `${i}.jpg`)) })),
    );
  }
  const variants = await makeVariants(await loadMaster(src.file), `${src.pkg}/${src.name}`);
  await mkdir(dir, { recursive: true });
  await Promise.all(variants.map((v, i) => writeFile(path.join(dir, `${i}.jpg`), v.bytes)));
  await writeFile(manifest, JSON.stringify(variants.map(({ bytes: _, ...v }) => v)));
  return variants;
}
