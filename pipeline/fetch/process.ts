// Derives everything later stages need from one decode of the downloaded image: dimensions, thumbnail, pHash, crop hashes, CLIP crop.
import sharp, { type Sharp } from 'sharp';
import { cropHashesOfIntegral, type CropHashes } from '../checks/cropHash.ts';
import { lumaIntegral } from '../checks/lumaWindows.ts';
import { phashOfIntegral, type Hash64 } from '../checks/phash.ts';
import { CLIP_SIZE, cropGeometry } from '../clip/preprocess.ts';
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
  /** Full-frame and window hashes for finding crops, from the same thumbnail pixels. */
  crop: CropHashes;
  /** WebP q90 of the 224×224 CLIP crop, or null when not requested. */
  clip: Buffer | null;
};

export type ProcessError = { ok: false; kind: 'not_image' | 'corrupt' | 'too_large'; message: string };

export type ProcessOptions = { clip?: boolean; maxPixels?: number };

type Raw = { data: Buffer; width: number; height: number };

const rawInput = (r: Raw) => ({ raw: { width: r.width, height: r.height, channels: 3 as const } });

/**
 * One decode, at the smallest size every output still needs (short side 224 for CLIP, long side 256 for
 * the thumbnail), so libjpeg's shrink-on-load skips most of the work; the outputs are cut from that buffer.
 * The CLIP crop follows CLIP's geometry (short side to 224, centre crop) with a cubic kernel; it is stored
 * as lossy WebP anyway, so it matches Pillow's full-size bicubic closely rather than bit for bit.
 */
export async function processImage(bytes: Buffer, opts: ProcessOptions = {}): Promise<Processed | ProcessError> {
  const format = sniffImage(bytes);
  if (!format) return { ok: false, kind: 'not_image', message: 'not a JPEG, PNG, WebP or GIF' };
  const input = { failOn: 'error' as const, limitInputPixels: opts.maxPixels ?? MAX_INPUT_PIXELS };
  const withClip = opts.clip ?? true;
  let work: Raw;
  let width: number;
  let height: number;
  try {
    const meta = await sharp(bytes, input).metadata();
    width = meta.autoOrient?.width ?? meta.width ?? 0;
    height = meta.autoOrient?.height ?? meta.height ?? 0;
    if (!width || !height) return { ok: false, kind: 'corrupt', message: 'no image dimensions' };
    if (width * height > input.limitInputPixels) return { ok: false, kind: 'too_large', message: `${width}×${height} is over the pixel limit` };
    const g = cropGeometry(width, height);
    // When CLIP's size is the larger need, decode straight to CLIP's resize geometry so its crop is a plain cut.
    const clipLeads = withClip && g.outWidth <= width && g.outWidth / width >= THUMB_LONG_SIDE / Math.max(width, height);
    const scale = Math.min(1, THUMB_LONG_SIDE / Math.max(width, height));
    const [workWidth, workHeight] = clipLeads ? [g.outWidth, g.outHeight] : [Math.max(1, Math.round(width * scale)), Math.max(1, Math.round(height * scale))];
    const decoded = await sharp(bytes, input)
      .rotate()
      .removeAlpha()
      .resize(workWidth, workHeight, { fit: 'fill' })
      .raw()
      .toBuffer({ resolveWithObject: true });
    work = { data: decoded.data, width: decoded.info.width, height: decoded.info.height };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    if (/pixel limit/i.test(message)) return { ok: false, kind: 'too_large', message };
    return { ok: false, kind: 'corrupt', message };
  }
  const thumb = Math.max(work.width, work.height) > THUMB_LONG_SIDE
    ? await toRaw(sharp(work.data, rawInput(work)).resize(THUMB_LONG_SIDE, THUMB_LONG_SIDE, { fit: 'inside' }))
    : work;
  const luma = lumaIntegral(thumb.data, thumb.width, thumb.height, 3);
  const phash = phashOfIntegral(luma, thumb.data, 3);
  const crop = cropHashesOfIntegral(luma);
  const [thumbnail, clip] = await Promise.all([
    sharp(thumb.data, rawInput(thumb)).webp({ quality: 80, effort: 0 }).toBuffer(),
    withClip ? clipCrop(work, width, height) : Promise.resolve(null),
  ]);
  return { ok: true, format, width, height, thumbnail, phash, crop, clip };
}

async function toRaw(img: Sharp): Promise<Raw> {
  const { data, info } = await img.raw().toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

/** CLIP's Resize(224) + CenterCrop(224) of the work buffer, geometry computed on the full-size image. */
async function clipCrop(work: Raw, width: number, height: number): Promise<Buffer> {
  const g = cropGeometry(width, height);
  let img = sharp(work.data, rawInput(work));
  if (work.width !== g.outWidth || work.height !== g.outHeight) img = img.resize(g.outWidth, g.outHeight, { fit: 'fill', kernel: 'cubic' });
  return img.extract({ left: g.left, top: g.top, width: CLIP_SIZE, height: CLIP_SIZE }).webp({ quality: 90, effort: 0 }).toBuffer();
}
