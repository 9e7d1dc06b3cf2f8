import { mkdtemp, readdir, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { afterEach, describe, expect, it } from 'vitest';
import { clipCrop } from '../../../pipeline/clip/preprocess.ts';
import { NEAR_DUPLICATE_DISTANCE } from '../../../pipeline/checks/duplicateConfig.ts';
import { hamming } from '../../../pipeline/fingerprints/phash.ts';
import { exactShrinkFactor, withJpegShrink } from '../../../pipeline/fetch/jpegShrink.ts';
import { processImage } from '../../../pipeline/fetch/process.ts';
import { sniffImage } from '../../../pipeline/fetch/validate.ts';

const scene = (w: number, h: number) =>
  sharp({ create: { width: w, height: h, channels: 3, background: '#236' } }).composite([
    {
      input: {
        create: { width: Math.round(w / 3), height: Math.round(h / 4), channels: 3, background: '#fc4' },
      },
      left: Math.round(w / 5),
      top: Math.round(h / 2),
    },
  ]);

describe('processImage', () => {
  it('makes a CLIP crop that matches the CLIP stage’s full-size bicubic crop closely', async () => {
    for (const [w, h] of [
      [1024, 683],
      [600, 900],
      [200, 150],
    ]) {
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
    const big = await sharp({ create: { width: 4000, height: 4000, channels: 3, background: '#000' } })
      .png({ compressionLevel: 9 })
      .toBuffer();
    expect(big.length).toBeLessThan(200_000);
    expect(await processImage(big, { maxPixels: 10_000_000 })).toMatchObject({
      ok: false,
      kind: 'too_large',
    });
  });

  it('keeps small images at their size and gives near-identical pHashes to a re-encode', async () => {
    const a = await processImage(await scene(200, 150).jpeg({ quality: 95 }).toBuffer(), { clip: false });
    const b = await processImage(await scene(200, 150).jpeg({ quality: 50 }).toBuffer(), { clip: false });
    expect(a.ok && b.ok).toBe(true);
    if (!a.ok || !b.ok) return;
    expect((await sharp(a.thumbnail).metadata()).width).toBe(200);
    expect(a.clip).toBeNull();
    expect(hamming(a.phash, b.phash)).toBeLessThanOrEqual(2);
  });
});

const meanDiff = (a: Buffer, b: Buffer) => {
  let d = 0;
  for (let i = 0; i < a.length; i++) d += Math.abs(a[i] - b[i]);
  return d / a.length;
};

describe('decoding at the exact JPEG scale', () => {
  const savedTmp = process.env.TMPDIR;
  const systemTmp = os.tmpdir();
  const dirs: string[] = [];
  const privateTmp = async () => {
    const dir = await mkdtemp(path.join(systemTmp, 'quarry-shrink-test-'));
    dirs.push(dir);
    process.env.TMPDIR = dir;
    return dir;
  };
  afterEach(async () => {
    if (savedTmp === undefined) delete process.env.TMPDIR;
    else process.env.TMPDIR = savedTmp;
    for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
  });

  it('uses the factor sharp would halve, and only that', () => {
    expect([1.9, 2, 2.99, 3, 3.42, 4, 4.9, 5, 7.99, 8, 8.5, 9].map(exactShrinkFactor)).toEqual([
      null,
      2,
      2,
      null,
      null,
      4,
      4,
      null,
      null,
      8,
      8,
      null,
    ]);
  });

  it('loads at the factor and removes its temporary file, also when the image is broken', async () => {
    const dir = await privateTmp();
    const jpeg = await scene(1024, 683).jpeg().toBuffer();
    const info = await withJpegShrink(jpeg, 4, { failOn: 'error' }, (img) =>
      img
        .raw()
        .toBuffer({ resolveWithObject: true })
        .then((r) => r.info),
    );
    expect([info?.width, info?.height]).toEqual([256, 170]); // libvips rounds 170.75 down
    await expect(
      withJpegShrink(jpeg.subarray(0, 4000), 4, { failOn: 'error' }, (img) => img.raw().toBuffer()),
    ).rejects.toThrow();
    expect(await readdir(dir)).toEqual([]);
  });

  it('makes a Flickr-size JPEG’s thumbnail like a full decode’s, orientation applied, and falls back when no temporary file can be written', async () => {
    const jpeg = await scene(1024, 768).withMetadata({ orientation: 6 }).jpeg({ quality: 92 }).toBuffer();
    const reference = await sharp(jpeg).rotate().resize(192, 256).raw().toBuffer();
    await privateTmp();
    const fast = await processImage(jpeg, { clip: false });
    process.env.TMPDIR = path.join(systemTmp, 'quarry-does-not-exist');
    const fallback = await processImage(jpeg, { clip: false });
    for (const out of [fast, fallback]) {
      expect(out.ok).toBe(true);
      if (!out.ok) return;
      expect([out.width, out.height]).toEqual([768, 1024]);
      const thumb = await sharp(out.thumbnail).raw().toBuffer({ resolveWithObject: true });
      expect([thumb.info.width, thumb.info.height]).toEqual([192, 256]);
      expect(meanDiff(thumb.data, reference)).toBeLessThan(3);
    }
    // Two flat rectangles leave many DCT terms at the median, so a bit or four may flip; far inside the threshold.
    if (fast.ok && fallback.ok)
      expect(hamming(fast.phash, fallback.phash)).toBeLessThan(NEAR_DUPLICATE_DISTANCE);
  });

  it('reports a truncated Flickr-size JPEG as corrupt', async () => {
    const dir = await privateTmp();
    const jpeg = await scene(1024, 768).jpeg().toBuffer();
    expect(await processImage(jpeg.subarray(0, Math.floor(jpeg.length / 2)), { clip: false })).toMatchObject({
      ok: false,
      kind: 'corrupt',
    });
    expect(await readdir(dir)).toEqual([]);
  });
});
