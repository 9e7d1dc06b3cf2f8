import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { clipCrop } from '../../../pipeline/clip/preprocess.ts';
import { processImage } from '../../../pipeline/fetch/process.ts';
import { sniffImage } from '../../../pipeline/fetch/validate.ts';

const scene = (w: number, h: number) =>
  sharp({ create: { width: w, height: h, channels: 3, background: '#236' } })
    .composite([{ input: { create: { width: Math.round(w / 3), height: Math.round(h / 4), channels: 3, background: '#fc4' } }, left: Math.round(w / 5), top: Math.round(h / 2) }]);

describe('processImage', () => {
  it('makes a CLIP crop that matches the CLIP stage’s full-size bicubic crop closely', async () => {
    for (const [w, h] of [[1024, 683], [600, 900], [200, 150]]) {
      const jpeg = await scene(w, h).jpeg().toBuffer();
      const out = await processImage(jpeg);
      expect(out.ok).toBe(true);
      if (!out.ok) return;
      const mine = await sharp(out.clip!).raw().toBuffer({ resolveWithObject: true });
      expect([mine.info.width, mine.info.height]).toEqual([224, 224]);
      const reference = await clipCrop(jpeg);
      let diff = 0;
      for (let i = 0; i < reference.length; i++) diff += Math.abs(reference[i] - mine.data[i]);
      expect(diff / reference.length, `${w}×${h}`).toBeLessThan(3);
    }
  });

  it('recognises image formats by magic bytes only', async () => {
    expect(sniffImage(await scene(40, 30).png().toBuffer())).toBe('png');
    expect(sniffImage(await scene(40, 30).webp().toBuffer())).toBe('webp');
    expect(sniffImage(await scene(40, 30).gif().toBuffer())).toBe('gif');
    expect(sniffImage(Buffer.from('<!doctype html><html>'))).toBeNull();
  });

  it('refuses a decompression bomb by its pixel count', async () => {
    const big = await sharp({ create: { width: 4000, height: 4000, channels: 3, background: '#000' } }).png({ compressionLevel: 9 }).toBuffer();
    expect(big.length).toBeLessThan(200_000);
    expect(await processImage(big, { maxPixels: 10_000_000 })).toMatchObject({ ok: false, kind: 'too_large' });
  });

  it('keeps small images at their size and gives near-identical pHashes to a re-encode', async () => {
    const a = await processImage(await scene(200, 150).jpeg({ quality: 95 }).toBuffer(), { clip: false });
    const b = await processImage(await scene(200, 150).jpeg({ quality: 50 }).toBuffer(), { clip: false });
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect((await sharp(a.thumbnail).metadata()).width).toBe(200);
    expect(a.clip).toBeNull();
    const { hamming } = await import('../../../pipeline/checks/phash.ts');
    expect(hamming(a.phash, b.phash)).toBeLessThanOrEqual(2);
  });
});
