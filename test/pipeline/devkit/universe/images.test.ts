import sharp from 'sharp';
import { describe, expect, it } from 'vitest';
import { generateUniverse } from '../../../../pipeline/devkit/universe/generate.ts';
import { renderImage } from '../../../../pipeline/devkit/universe/images.ts';
import type { UniversePhoto } from '../../../../pipeline/devkit/universe/types.ts';

const u = generateUniverse({ seed: 'images-test', photos: 400 });
const byId = new Map(u.photos.map((p) => [p.id, p]));
const at = (p: UniversePhoto, long = 256) => {
  const f = long / Math.max(p.width, p.height);
  return renderImage(p, { width: Math.round(p.width * f), height: Math.round(p.height * f) });
};

/** Mean absolute difference of two images as 32×32 greyscale thumbnails (0 = same, ~50+ = unrelated). */
async function distance(a: Buffer, b: Buffer): Promise<number> {
  const thumb = (x: Buffer) => sharp(x).greyscale().resize(32, 32, { fit: 'fill' }).raw().toBuffer();
  const [ta, tb] = await Promise.all([thumb(a), thumb(b)]);
  let sum = 0;
  for (let i = 0; i < ta.length; i++) sum += Math.abs(ta[i] - tb[i]);
  return sum / ta.length;
}

/** Share of pixels in the six most common (quantised) colours: near 1 for flat illustrations. */
async function flatShare(img: Buffer): Promise<number> {
  const raw = await sharp(img).resize(128, 128, { fit: 'fill' }).raw().toBuffer();
  const counts = new Map<number, number>();
  for (let i = 0; i < raw.length; i += 3) {
    const key = ((raw[i] >> 3) << 10) | ((raw[i + 1] >> 3) << 5) | (raw[i + 2] >> 3);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return (
    [...counts.values()]
      .sort((a, b) => b - a)
      .slice(0, 6)
      .reduce((a, b) => a + b, 0) /
    (raw.length / 3)
  );
}

describe('universe images', () => {
  it('renders the same bytes every time, at the size asked for', async () => {
    const p = u.photos.find((x) => x.image.kind === 'photo')!;
    const [a, b] = [await at(p), await at(p)];
    expect(a.equals(b)).toBe(true);
    const meta = await sharp(a).metadata();
    expect(Math.max(meta.width, meta.height)).toBe(256);
  });

  it('makes exact duplicates byte-identical and near duplicates close but not identical', async () => {
    for (const [canonical, dup, kind] of u.groundTruth.duplicates) {
      const [c, d] = [byId.get(canonical)!, byId.get(dup)!];
      const full = async (p: UniversePhoto) =>
        renderImage(p, { width: p.width, height: p.height, exif: true });
      if (kind === 'exact') expect((await full(c)).equals(await full(d))).toBe(true);
      else expect(await distance(await at(c), await at(d))).toBeLessThan(kind === 'crop' ? 20 : 6);
    }
    const unrelated = u.photos.filter((p) => p.image.kind === 'photo').slice(0, 2);
    expect(await distance(await at(unrelated[0]), await at(unrelated[1]))).toBeGreaterThan(15);
  });

  it('stamps an account watermark in its corner', async () => {
    const w = u.groundTruth.watermarkedAccounts[0];
    const p = byId.get(w.photoIds[0])!;
    const plain = { ...p, image: { ...p.image, watermark: undefined } };
    const [marked, clean] = [await at(p, 600), await at(plain, 600)];
    const meta = await sharp(marked).metadata();
    const cw = Math.round(meta.width * 0.4);
    const ch = Math.round(meta.height * 0.25);
    const region = (img: Buffer, left: number, top: number) =>
      sharp(img).extract({ left, top, width: cw, height: ch }).png().toBuffer();
    const left = w.corner.endsWith('right') ? meta.width - cw : 0;
    const top = w.corner.startsWith('bottom') ? meta.height - ch : 0;
    expect(await distance(await region(marked, left, top), await region(clean, left, top))).toBeGreaterThan(
      1,
    );
    // The opposite corner is untouched.
    const [ol, ot] = [meta.width - cw - left, meta.height - ch - top];
    expect(await distance(await region(marked, ol, ot), await region(clean, ol, ot))).toBeLessThan(1);
  });

  it('makes illustrations flat-coloured and photos shaded and grainy', async () => {
    const ill = byId.get(u.groundTruth.illustrations[0])!;
    const photo = u.photos.find((p) => p.image.kind === 'photo' && !p.image.watermark)!;
    const [illImg, photoImg] = [await at(ill), await at(photo)];
    expect(await flatShare(illImg)).toBeGreaterThan(0.6);
    expect(await flatShare(photoImg)).toBeLessThan(0.3);
  });

  it('writes Copyright, Artist and ImageDescription into the original EXIF', async () => {
    const c = u.groundTruth.copyrightExif[0];
    const p = byId.get(c.id)!;
    const { exif } = await sharp(
      await renderImage(p, { width: p.width, height: p.height, exif: true }),
    ).metadata();
    expect(exif!.toString('latin1')).toContain(Buffer.from(c.value).toString('latin1'));
  });
});
