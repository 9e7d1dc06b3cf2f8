import sharp from 'sharp';
import crypto from 'node:crypto';
import { describe, expect, it } from 'vitest';
import reference from './fixtures/pilReference.json' with { type: 'json' };
import { clipCrop, cropGeometry, toClipTensor, CLIP_CROP_BYTES } from '../../../pipeline/clip/preprocess.ts';

/** Same formula as pattern() in fixtures/pilReference.py: edges, a checkerboard and ramps. */
function patternImage(w: number, h: number): Buffer {
  const raw = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++)
    for (let x = 0; x < w; x++)
      for (let c = 0; c < 3; c++) {
        const v =
          x * 7 + y * 13 + c * 50 + ((x * y) % 31) * 3 + ((Math.floor(x / 9) + Math.floor(y / 7)) % 2) * 90;
        raw[(y * w + x) * 3 + c] = v % 256;
      }
  return raw;
}

describe('CLIP preprocessing', () => {
  for (const ref of reference.cases) {
    it(`matches Pillow/torchvision bit for bit on a ${ref.width}×${ref.height} image`, async () => {
      const png = await sharp(patternImage(ref.width, ref.height), {
        raw: { width: ref.width, height: ref.height, channels: 3 },
      })
        .png()
        .toBuffer();
      const crop = await clipCrop(png);
      expect(crop.length).toBe(CLIP_CROP_BYTES);
      expect(Array.from(crop.subarray(0, 60))).toEqual(ref.cropFirstRow);
      expect(crypto.createHash('sha256').update(crop).digest('hex')).toBe(ref.cropSha256);
      const tensor = toClipTensor(crop, 1);
      for (const [c, y, x, value] of ref.samples) {
        expect(tensor[c * 224 * 224 + y * 224 + x]).toBeCloseTo(value, 5);
      }
    });
  }

  it('fills a batch tensor image by image in NCHW order', async () => {
    const a = Buffer.alloc(CLIP_CROP_BYTES, 0);
    const b = Buffer.alloc(CLIP_CROP_BYTES, 255);
    const batch = new Float32Array(2 * CLIP_CROP_BYTES);
    toClipTensor(b, 1, batch, 1);
    toClipTensor(a, 1, batch, 0);
    expect(batch[0]).toBeCloseTo(-0.48145466 / 0.26862954, 5);
    expect(batch[CLIP_CROP_BYTES + 2 * 224 * 224]).toBeCloseTo((1 - 0.40821073) / 0.27577711, 5);
  });

  it('centres the crop like torchvision, rounding halves to even', () => {
    expect(cropGeometry(1024, 683)).toEqual({ outWidth: 335, outHeight: 224, left: 56, top: 0 });
    expect(cropGeometry(301, 224)).toEqual({ outWidth: 301, outHeight: 224, left: 38, top: 0 });
    expect(cropGeometry(224, 225)).toEqual({ outWidth: 224, outHeight: 225, left: 0, top: 0 });
  });

  it('applies EXIF orientation and drops alpha', async () => {
    // Stored 300×200 with the left half red, the right half blue, and orientation 6 (display rotated 90° clockwise):
    // upright, red is on top and blue at the bottom.
    const raw = Buffer.alloc(300 * 200 * 4);
    for (let y = 0; y < 200; y++)
      for (let x = 0; x < 300; x++) raw.set(x < 150 ? [255, 0, 0, 128] : [0, 0, 255, 128], (y * 300 + x) * 4);
    const png = await sharp(raw, { raw: { width: 300, height: 200, channels: 4 } })
      .png()
      .withMetadata({ orientation: 6 })
      .toBuffer();
    const crop = await clipCrop(png);
    expect(crop.length).toBe(CLIP_CROP_BYTES);
    expect(Array.from(crop.subarray(0, 3))).toEqual([255, 0, 0]);
    const bottomLeft = 223 * 224 * 3;
    expect(Array.from(crop.subarray(bottomLeft, bottomLeft + 3))).toEqual([0, 0, 255]);
  });
});
