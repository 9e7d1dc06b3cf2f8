// The generator's harder cases: metadata written as cameras, Windows and Photoshop write it; watermark accounts with
// orientation habits and marks on only some photos.
import { describe, expect, it } from 'vitest';
import { evaluate } from '../../../../pipeline/checks/exifCopyright.ts';
import { metadataFields } from '../../../../pipeline/checks/exifRead.ts';
import { generateUniverse } from '../../../../pipeline/devkit/universe/generate.ts';
import { renderImage } from '../../../../pipeline/devkit/universe/images.ts';

const u = generateUniverse({ seed: 'hard-cases', photos: 3000 });
const byId = new Map(u.photos.map((p) => [p.id, p]));
const original = (id: string) => {
  const p = byId.get(id)!;
  const f = 320 / Math.max(p.width, p.height);
  return renderImage(p, { width: Math.round(p.width * f), height: Math.round(p.height * f), exif: true });
};

describe('generated metadata bytes', () => {
  it('plants copyright EXIF in camera Latin-1, Windows XP and Photoshop IPTC bytes, which the reader decodes and fails', async () => {
    const styles = new Set(u.groundTruth.copyrightExif.map((c) => c.style ?? 'libvips'));
    expect([...styles].sort()).toEqual(['camera', 'libvips', 'photoshop', 'windows']);
    for (const style of ['camera', 'windows', 'photoshop'] as const) {
      const planted = u.groundTruth.copyrightExif.find((c) => c.style === style)!;
      const jpeg = await original(planted.id);
      if (style === 'camera' && planted.value.includes('©'))
        expect(jpeg.includes(Buffer.from([0xa9, 0x20]))).toBe(true);
      const fields = await metadataFields(jpeg);
      const read = style === 'photoshop' ? fields['IPTC CopyrightNotice'] : fields[planted.field];
      expect(read, `${style} ${planted.field}`).toBe(planted.value);
      expect(evaluate({ ok: true, source: 'original', fields }).verdict).toBe('fail');
    }
  });

  it('leaves camera-encoded decoys passing', async () => {
    const decoys = u.groundTruth.decoys.filter(
      (d) => d.where === 'exif' && byId.get(d.id)!.exifStyle === 'camera',
    );
    expect(decoys.length).toBeGreaterThan(0);
    for (const d of decoys) {
      const fields = await metadataFields(await original(d.id));
      expect(fields.Copyright).toBe(d.phrase);
      expect(evaluate({ ok: true, source: 'original', fields }).verdict).toBe('pass');
    }
  });
});

describe('generated watermark accounts', () => {
  it('include portrait-heavy and portrait-poor accounts whose marks are on 70–95 % of photos, at opacity 0.25–0.6', () => {
    const shares = u.groundTruth.watermarkedAccounts.map((w) => {
      const photos = u.photos.filter(
        (p) => p.owner === w.nsid && p.image.kind === 'photo' && p.width !== p.height,
      );
      return {
        w,
        portrait: photos.filter((p) => p.height > p.width).length / photos.length,
        n: photos.length,
      };
    });
    expect(shares.some((s) => s.w.portraitShare === 0.85 && s.n >= 10 && s.portrait > 0.6)).toBe(true);
    expect(shares.some((s) => s.w.portraitShare === 0.08 && s.n >= 10 && s.portrait < 0.25)).toBe(true);
    for (const w of u.groundTruth.watermarkedAccounts) {
      expect(w.opacity).toBeGreaterThanOrEqual(0.25);
      expect(w.opacity).toBeLessThanOrEqual(0.6);
      expect(w.carryRate).toBeGreaterThanOrEqual(0.7);
      expect(w.carryRate).toBeLessThanOrEqual(0.95);
    }
  });
});
