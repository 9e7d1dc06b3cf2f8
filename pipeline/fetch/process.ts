// Derives everything later stages need from one decode of the downloaded image: dimensions, thumbnail, pHash, crop hashes, CLIP crop.
import { imageSize } from 'image-size';
import sharp, { type Sharp } from 'sharp';
import { cropHashesOfIntegral, type CropHashes } from '../fingerprints/cropHash.ts';
import { lumaIntegral } from '../fingerprints/lumaWindows.ts';
import { phashOfIntegral, type Hash64 } from '../fingerprints/phash.ts';
import { CLIP_SIZE, cropGeometry } from '../clip/preprocess.ts';
import { exactShrinkFactor, withJpegShrink } from './jpegShrink.ts';
import { MAX_INPUT_PIXELS, sniffImage, type ImageFormat } from './validate.ts';

export const THUMB_LONG_SIDE = 256;

export type Processed = {
  ok: true;
  format: ImageFormat;
  /** Size of the image as fetched (EXIF orientation applied). */
  width: number;
  height: number;
  /** WebP, long side 256 (smaller images keep their size). */
  thumbnail: Buffer;
  phash: Hash64;
  /** Full-frame and window hashes for finding crops, from the same pixels as the pHash. */
  crop: CropHashes;
  /** WebP q90 of the 224×224 CLIP crop, or null when not requested. */
  clip: Buffer | null;
};

export type ProcessError = { ok: false; kind: 'not_image' | 'corrupt' | 'too_large'; message: string };

export type ProcessOptions = { clip?: boolean; maxPixels?: number };

type Raw = { data: Buffer; width: number; height: number };
type Input = { failOn: 'error'; limitInputPixels: number };

const rawInput = (r: Raw) => ({ raw: { width: r.width, height: r.height, channels: 3 as const } });

/**
 * Displayed size. A JPEG's header is read in JS: sharp's metadata() is a round trip through its thread pool
 * that costs 3–5 % of the whole analysis. Anything else, or a header image-size cannot read, goes to sharp.
 */
async function orientedSize(bytes: Buffer, format: ImageFormat, input: Input): Promise<[number, number]> {
  if (format === 'jpeg') {
    try {
      const s = imageSize(bytes);
      if (s.width && s.height) return (s.orientation ?? 1) >= 5 ? [s.height, s.width] : [s.width, s.height];
    } catch {
      // sharp below gives the authoritative error
    }
  }
  const meta = await sharp(bytes, input).metadata();
  return [meta.autoOrient?.width ?? meta.width ?? 0, meta.autoOrient?.height ?? meta.height ?? 0];
}

/**
 * One decode, at the smallest size every output still needs, so libjpeg's shrink-on-load skips most of the
 * work. Without CLIP that size is the thumbnail's. With CLIP it is CLIP's resize (short side 224); the
 * hashes come from that buffer, the crop is a plain cut of it and the thumbnail a resize inside its own
 * WebP encode. The crop follows CLIP's geometry (short side to 224, centre crop); it is stored as lossy
 * WebP anyway, so it matches Pillow's full-size bicubic closely rather than bit for bit.
 */
export async function processImage(
  bytes: Buffer,
  opts: ProcessOptions = {},
): Promise<Processed | ProcessError> {
  const format = sniffImage(bytes);
  if (!format) return { ok: false, kind: 'not_image', message: 'not a JPEG, PNG, WebP or GIF' };
  const input: Input = { failOn: 'error', limitInputPixels: opts.maxPixels ?? MAX_INPUT_PIXELS };
  const withClip = opts.clip ?? true;
  let work: Raw;
  let width: number;
  let height: number;
  let thumbSize: [number, number];
  try {
    [width, height] = await orientedSize(bytes, format, input);
    if (!width || !height) return { ok: false, kind: 'corrupt', message: 'no image dimensions' };
    if (width * height > input.limitInputPixels)
      return { ok: false, kind: 'too_large', message: `${width}×${height} is over the pixel limit` };
    const g = cropGeometry(width, height);
    // When CLIP's size is the larger need, decode straight to CLIP's resize geometry so its crop is a plain cut.
    const clipLeads =
      withClip && g.outWidth <= width && g.outWidth / width >= THUMB_LONG_SIDE / Math.max(width, height);
    const scale = Math.min(1, THUMB_LONG_SIDE / Math.max(width, height));
    const thumbTarget: [number, number] = [
      Math.max(1, Math.round(width * scale)),
      Math.max(1, Math.round(height * scale)),
    ];
    work = await decode(
      bytes,
      format,
      input,
      [width, height],
      clipLeads ? [g.outWidth, g.outHeight] : thumbTarget,
      !clipLeads,
    );
    thumbSize = clipLeads ? thumbTarget : [work.width, work.height];
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/pixel limit/i.test(message)) return { ok: false, kind: 'too_large', message };
    return { ok: false, kind: 'corrupt', message };
  }
  const luma = lumaIntegral(work.data, work.width, work.height, 3);
  const phash = phashOfIntegral(luma, work.data, 3);
  const crop = cropHashesOfIntegral(luma);
  let thumb = sharp(work.data, rawInput(work));
  if (work.width !== thumbSize[0] || work.height !== thumbSize[1])
    thumb = thumb.resize(thumbSize[0], thumbSize[1], { fit: 'fill' });
  const [thumbnail, clip] = await Promise.all([
    thumb.webp({ quality: 80, effort: 0 }).toBuffer(),
    withClip ? clipCrop(work, width, height) : Promise.resolve(null),
  ]);
  return { ok: true, format, width, height, thumbnail, phash, crop, clip };
}

/**
 * The image at `target` (EXIF orientation applied, alpha dropped), decoded once. A JPEG reduced by a
 * whole factor of 2, 4 or 8 is decoded at that scale (see jpegShrink.ts). `loose`: libjpeg's scaled size
 * is kept when it is within 1 px of the target on each side, as a thumbnail can be, rather than resampled.
 */
async function decode(
  bytes: Buffer,
  format: ImageFormat,
  input: Input,
  [width, height]: [number, number],
  target: [number, number],
  loose: boolean,
): Promise<Raw> {
  const factor =
    format === 'jpeg' ? exactShrinkFactor(Math.min(width / target[0], height / target[1])) : null;
  if (factor) {
    // libvips rounds the scaled size down.
    const loaded = [Math.floor(width / factor), Math.floor(height / factor)];
    const keep = loose && Math.abs(loaded[0] - target[0]) <= 1 && Math.abs(loaded[1] - target[1]) <= 1;
    const shrunk = await withJpegShrink(bytes, factor, input, (img) => {
      img = img.rotate().removeAlpha();
      return toRaw(keep ? img : img.resize(target[0], target[1], { fit: 'fill' }));
    });
    if (shrunk) return shrunk;
  }
  return toRaw(sharp(bytes, input).rotate().removeAlpha().resize(target[0], target[1], { fit: 'fill' }));
}

async function toRaw(img: Sharp): Promise<Raw> {
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** CLIP's Resize(224) + CenterCrop(224) of the work buffer, geometry computed on the full-size image. */
async function clipCrop(work: Raw, width: number, height: number): Promise<Buffer> {
  const g = cropGeometry(width, height);
  let img = sharp(work.data, rawInput(work));
  if (work.width !== g.outWidth || work.height !== g.outHeight)
    img = img.resize(g.outWidth, g.outHeight, { fit: 'fill', kernel: 'cubic' });
  return img
    .extract({ left: g.left, top: g.top, width: CLIP_SIZE, height: CLIP_SIZE })
    .webp({ quality: 90, effort: 0 })
    .toBuffer();
}
