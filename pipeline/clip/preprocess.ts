// CLIP's image preprocessing: shortest side to 224 (bicubic), centre crop 224×224, RGB, [0,1], normalised NCHW float32.
import sharp from 'sharp';
import { resizeBicubicCrop } from './bicubic.ts';

export const CLIP_SIZE = 224;
export const CLIP_PIXELS = CLIP_SIZE * CLIP_SIZE;
/** Bytes of one crop as raw interleaved RGB. */
export const CLIP_CROP_BYTES = CLIP_PIXELS * 3;
export const CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073] as const;
export const CLIP_STD = [0.26862954, 0.26130258, 0.27577711] as const;

/** Python's round(): halves go to the even neighbour (torchvision's CenterCrop uses it). */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** torchvision Resize(224) + CenterCrop(224) geometry, as in OpenAI's CLIP. */
export function cropGeometry(width: number, height: number) {
  const short = Math.min(width, height);
  const long = Math.max(width, height);
  const newLong = Math.trunc((CLIP_SIZE * long) / short);
  const outWidth = width <= height ? CLIP_SIZE : newLong;
  const outHeight = width <= height ? newLong : CLIP_SIZE;
  return {
    outWidth,
    outHeight,
    left: roundHalfEven((outWidth - CLIP_SIZE) / 2),
    top: roundHalfEven((outHeight - CLIP_SIZE) / 2),
  };
}

/** Decodes any image sharp reads (EXIF orientation applied, alpha dropped as PIL's convert('RGB') does) to 8-bit RGB. */
export async function decodeRgb(input: Buffer) {
  const { data, info } = await sharp(input, { failOn: 'error' })
    .rotate()
    .removeAlpha()
    .toColourspace('srgb')
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  return {
    data: new Uint8Array(data.buffer, data.byteOffset, data.length),
    width: info.width,
    height: info.height,
  };
}

/** The 224×224 CLIP crop of an encoded image as raw RGB bytes (CLIP_CROP_BYTES long). */
export async function clipCrop(input: Buffer): Promise<Buffer> {
  const rgb = await decodeRgb(input);
  const g = cropGeometry(rgb.width, rgb.height);
  const crop = resizeBicubicCrop(rgb, g.outWidth, g.outHeight, {
    left: g.left,
    top: g.top,
    width: CLIP_SIZE,
    height: CLIP_SIZE,
  });
  return Buffer.from(crop.buffer, crop.byteOffset, crop.length);
}

/**
 * Normalises `count` consecutive 224×224 RGB crops into an NCHW float32 tensor, written into `out`
 * at image index `at` when given (so a batch buffer can be filled image by image).
 */
export function toClipTensor(
  rgb: Uint8Array,
  count: number,
  out: Float32Array = new Float32Array(count * 3 * CLIP_PIXELS),
  at = 0,
): Float32Array {
  if (rgb.length < count * CLIP_CROP_BYTES)
    throw new Error(`expected ${count} crops of ${CLIP_CROP_BYTES} bytes`);
  // Precomputed per-channel lookup: byte -> normalised float, exactly (v/255 - mean)/std.
  const lut = LUT;
  for (let n = 0; n < count; n++) {
    const src = n * CLIP_CROP_BYTES;
    const base = (at + n) * 3 * CLIP_PIXELS;
    for (let p = 0; p < CLIP_PIXELS; p++) {
      const s = src + p * 3;
      out[base + p] = lut[rgb[s]];
      out[base + CLIP_PIXELS + p] = lut[256 + rgb[s + 1]];
      out[base + 2 * CLIP_PIXELS + p] = lut[512 + rgb[s + 2]];
    }
  }
  return out;
}

const LUT = (() => {
  const t = new Float32Array(768);
  for (let c = 0; c < 3; c++)
    for (let v = 0; v < 256; v++) t[c * 256 + v] = (v / 255 - CLIP_MEAN[c]) / CLIP_STD[c];
  return t;
})();
