// Renders a universe photo's pixels at a requested size as JPEG with sharp; originals carry the photo's EXIF.
import sharp from 'sharp';
import { hashSeed } from '../random.ts';
import { sceneSvg } from './scene.ts';
import type { UniversePhoto } from './types.ts';
import { styledSegments } from './exifBytes.ts';
import { withSegments } from './metadataBytes.ts';

// Deterministic per-pixel grain (an integer hash, not a PRNG stream) so photo-like images have texture.
function grain(width: number, height: number, seed: number, strength: number): Buffer {
  const out = Buffer.allocUnsafe(width * height * 4);
  let i = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let v = Math.imul(x * 374761393 + y * 668265263 + seed, 1274126177);
      v ^= v >>> 13;
      v = Math.imul(v, 1274126177);
      const g = v >>> 24;
      out[i] = g;
      out[i + 1] = g;
      out[i + 2] = g;
      out[i + 3] = strength;
      i += 4;
    }
  }
  return out;
}

export type RenderOptions = { width: number; height: number; exif?: boolean };

/** JPEG bytes of `photo` at `width`×`height`; the same photo and size always give the same bytes. */
export async function renderImage(photo: UniversePhoto, opts: RenderOptions): Promise<Buffer> {
  const { width, height } = opts;
  const recipe = photo.image;
  // A crop renders its part of the original's scene, whose aspect ratio its own differs from when it cuts one axis only.
  const crop = recipe.derived?.crop;
  const aspect = crop ? photo.width / crop.width / (photo.height / crop.height) : photo.width / photo.height;
  let img = sharp(Buffer.from(sceneSvg(recipe, width, height, aspect))).removeAlpha();
  if (recipe.kind === 'photo') {
    const seed = hashSeed(`${recipe.seed}:${width}x${height}`);
    img = img.composite([
      { input: grain(width, height, seed, 64), raw: { width, height, channels: 4 }, blend: 'overlay' },
    ]);
  }
  img = img.jpeg({ quality: recipe.quality });
  if (opts.exif && photo.exifStyle)
    return withSegments(await img.toBuffer(), styledSegments(photo.exif, photo.exifStyle));
  if (opts.exif) {
    const ifd0: Record<string, string> = {};
    for (const key of ['Make', 'Model', 'Artist', 'Copyright', 'ImageDescription', 'Software'] as const) {
      const value = photo.exif[key];
      if (value) ifd0[key] = value;
    }
    const ifd2: Record<string, string> = photo.exif.DateTimeOriginal
      ? { DateTimeOriginal: photo.exif.DateTimeOriginal }
      : {};
    if (Object.keys(ifd0).length || Object.keys(ifd2).length) img = img.withExif({ IFD0: ifd0, IFD2: ifd2 });
  }
  return img.toBuffer();
}
