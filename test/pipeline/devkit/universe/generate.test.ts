import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  generateUniverse,
  isEligible,
  writeGroundTruth,
} from '../../../../pipeline/devkit/universe/generate.ts';

const u = generateUniverse({ seed: 'universe-test', photos: 1000 });
const byId = new Map(u.photos.map((p) => [p.id, p]));

describe('generateUniverse', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    expect(generateUniverse({ seed: 'universe-test', photos: 1000 })).toEqual(u);
    expect(generateUniverse({ seed: 'other', photos: 1000 }).photos[0]).not.toEqual(u.photos[0]);
  });

  it('has Zipf-like account sizes: a few huge accounts, many small ones', () => {
    const counts = new Map<string, number>();
    for (const p of u.photos) counts.set(p.owner, (counts.get(p.owner) ?? 0) + 1);
    const sizes = [...counts.values()].sort((a, b) => b - a);
    expect(sizes[0]).toBeGreaterThan(u.photos.length * 0.1);
    expect(sizes.filter((n) => n <= 3).length).toBeGreaterThan(sizes.length / 3);
  });

  it('gives photos ids that grow with upload time and unique secrets', () => {
    for (let i = 1; i < u.photos.length; i++) {
      expect(u.photos[i].dateUpload).toBeGreaterThanOrEqual(u.photos[i - 1].dateUpload);
      expect(BigInt(u.photos[i].id)).toBeGreaterThan(BigInt(u.photos[i - 1].id));
    }
  });

  it('mixes eligible and ineligible licenses', () => {
    const licenses = new Set(u.photos.map((p) => p.license));
    for (const l of [0, 4, 7, 8, 9, 10]) expect(licenses).toContain(l);
    expect(u.groundTruth.eligible).toEqual(u.photos.filter((p) => isEligible(p)).map((p) => p.id));
    expect(u.groundTruth.eligible.length).toBeLessThan(u.photos.length * 0.8);
  });

  it('plants every case the checks must catch, consistently with the photos', () => {
    const g = u.groundTruth;
    expect(g.watermarkedAccounts.length).toBeGreaterThanOrEqual(2);
    for (const w of g.watermarkedAccounts)
      for (const id of w.photoIds) expect(byId.get(id)!.image.watermark?.text).toBe(w.text);
    const kinds = new Set(g.duplicates.map(([, , k]) => k));
    // Every kind the generator knows; crops come one-sided (`crop`) or centred to another aspect ratio (`aspect`).
    for (const k of kinds) expect(['exact', 'reencode', 'resize', 'crop', 'aspect']).toContain(k);
    for (const k of ['exact', 'reencode', 'resize']) expect(kinds).toContain(k);
    expect(kinds.has('crop') || kinds.has('aspect')).toBe(true);
    for (const [canonical, dup, kind] of g.duplicates) {
      const [c, d] = [byId.get(canonical)!, byId.get(dup)!];
      expect(d.image.seed).toBe(c.image.seed);
      expect(d.dateUpload).toBeGreaterThanOrEqual(c.dateUpload);
      if (kind === 'exact')
        expect([d.width, d.height, d.image.quality, d.exif]).toEqual([
          c.width,
          c.height,
          c.image.quality,
          c.exif,
        ]);
    }
    for (const id of g.small) expect(Math.max(byId.get(id)!.width, byId.get(id)!.height)).toBeLessThan(256);
    expect(g.small.length).toBeGreaterThan(0);
    for (const { id, phrase } of g.copyrightText) expect(byId.get(id)!.description).toContain(phrase);
    for (const { id, field, value } of g.copyrightExif) expect(byId.get(id)!.exif[field]).toBe(value);
    expect(g.decoys.some((d) => /No known copyright restrictions|CC0/.test(d.phrase))).toBe(true);
    for (const d of g.decoys)
      expect(d.where === 'exif' ? byId.get(d.id)!.exif.Copyright : byId.get(d.id)!.description).toContain(
        d.phrase,
      );
    for (const list of [
      g.illustrations,
      g.screenshots,
      g.deleted,
      g.originalHidden,
      g.exifHidden,
      g.copyrightText,
      g.copyrightExif,
    ])
      expect(list.length).toBeGreaterThan(0);
  });

  it('plants cases even in a tiny universe', () => {
    const tiny = generateUniverse({ seed: 'tiny', photos: 40 });
    const g = tiny.groundTruth;
    for (const list of [
      g.small,
      g.illustrations,
      g.screenshots,
      g.deleted,
      g.duplicates,
      g.copyrightText,
      g.copyrightExif,
      g.decoys,
    ])
      expect(list.length).toBeGreaterThan(0);
  });

  it('writes the ground truth as JSON', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'quarry-gt-'));
    try {
      const file = await writeGroundTruth(u, dir);
      expect(JSON.parse(await readFile(file, 'utf8'))).toEqual(u.groundTruth);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
