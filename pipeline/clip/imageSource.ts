// Reads the stored 224×224 CLIP crops from the content-addressed image store as raw RGB.
import fs from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { clipCrop, CLIP_SIZE } from './preprocess.ts';

export function clipCropPath(dataDir: string, contentHash: string): string {
  return path.join(dataDir, 'images', 'clip', contentHash.slice(0, 2), `${contentHash}.webp`);
}

export type CropResult = { ok: true; rgb: Buffer } | { ok: false; error: string };

/** The crop's raw RGB; an image of another size (an older store) is re-cropped rather than rejected. */
export async function readClipCrop(dataDir: string, contentHash: string): Promise<CropResult> {
  const file = clipCropPath(dataDir, contentHash);
  let bytes: Buffer;
  try {
    bytes = await fs.readFile(file);
  } catch {
    return { ok: false, error: `clip crop missing: ${file}` };
  }
  try {
    const { data, info } = await sharp(bytes, { failOn: 'error' })
      .removeAlpha()
      .toColourspace('srgb')
      .raw({ depth: 'uchar' })
      .toBuffer({ resolveWithObject: true });
    if (info.width === CLIP_SIZE && info.height === CLIP_SIZE && info.channels === 3)
      return { ok: true, rgb: data };
    return { ok: true, rgb: await clipCrop(bytes) };
  } catch (err) {
    return { ok: false, error: `corrupt clip crop ${file}: ${(err as Error).message}` };
  }
}
