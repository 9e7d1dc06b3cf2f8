import sharp from 'sharp';
import { beforeAll, describe, expect, it } from 'vitest';
import { alignCrop } from '../../../pipeline/checks/alignCrop.ts';
import {
  decodeCropHashes,
  encodeCropHashes,
  type CropHashes,
} from '../../../pipeline/fingerprints/cropHash.ts';
import {
  buildCropIndex,
  cropPairCollector,
  searchWindows,
  type CropPair,
} from '../../../pipeline/checks/cropSearch.ts';
import {
  CROP_DIFF_THRESHOLD,
  CROP_SEARCH_DISTANCE,
  CROP_WEAK_BITS,
} from '../../../pipeline/checks/duplicateConfig.ts';
import { lumaIntegral, type LumaIntegral } from '../../../pipeline/fingerprints/lumaWindows.ts';
import { processImage } from '../../../pipeline/fetch/process.ts';
import { renderImage } from '../../../pipeline/devkit/universe/images.ts';
import { generateUniverse } from '../../../pipeline/devkit/universe/generate.ts';
import type { UniversePhoto } from '../../../pipeline/devkit/universe/types.ts';

type Item = { label: string; hashes: CropHashes; luma: LumaIntegral };

/** Renders like the simulator's 1024 px rendition and processes like the fetch stage. */
async function item(label: string, p: UniversePhoto): Promise<Item> {
  const f = Math.min(1, 1024 / Math.max(p.width, p.height));
  const jpeg = await renderImage(p, { width: Math.round(p.width * f), height: Math.round(p.height * f) });
  const out = await processImage(jpeg, { clip: false });
  if (!out.ok) throw new Error(out.message);
  const { data, info } = await sharp(out.thumbnail).raw().toBuffer({ resolveWithObject: true });
  return { label, hashes: out.crop, luma: lumaIntegral(data, info.width, info.height, info.channels) };
}

function cropOf(p: UniversePhoto, left: number, top: number, width: number, height: number): UniversePhoto {
  return {
    ...p,
    image: { ...p.image, derived: { fromId: p.id, kind: 'crop', crop: { left, top, width, height } } },
    width: Math.round(p.width * width),
    height: Math.round(p.height * height),
  };
}

function search(items: Item[]): CropPair[] {
  const index = buildCropIndex({
    count: items.length,
    hi: Uint32Array.from(items, (i) => i.hashes.full.hi),
    lo: Uint32Array.from(items, (i) => i.hashes.full.lo),
  });
  const w = items.flatMap((it, owner) => it.hashes.windows.map((h, window) => ({ h, owner, window })));
  const collect = cropPairCollector();
  searchWindows(
    index,
    {
      count: w.length,
      hi: Uint32Array.from(w, (x) => x.h.hi),
      lo: Uint32Array.from(w, (x) => x.h.lo),
      weakHi: Uint32Array.from(w, (x) => x.h.weak.hi),
      weakLo: Uint32Array.from(w, (x) => x.h.weak.lo),
      owner: Uint32Array.from(w, (x) => x.owner),
      window: Uint8Array.from(w, (x) => x.window),
    },
    { radius: CROP_SEARCH_DISTANCE, weakBits: CROP_WEAK_BITS },
    collect.sink,
  );
  return collect.pairs();
}

const universe = generateUniverse({ seed: 'crop-test', photos: 400 });
const plain = universe.photos.filter((p) => !p.image.derived && p.width >= 512 && p.height >= 512);
const photos = plain.filter((p) => p.image.kind === 'photo').slice(0, 3);
const screenshots = plain.filter((p) => p.image.kind === 'screenshot').slice(0, 5);
let items: Item[] = [];

beforeAll(async () => {
  // Crops at the edges of the universe's range: 10 % off the left, 1.5 % off the bottom, a centred 16:10 → 16:9 cut.
  const crops: [left: number, top: number, width: number, height: number][] = [
    [0.1, 0, 0.9, 1],
    [0, 0, 1, 0.985],
    [0, 0.05, 1, 0.9],
  ];
  items = [
    ...(await Promise.all(photos.map((p, k) => item(`photo${k}`, p)))),
    ...(await Promise.all(photos.map((p, k) => item(`crop${k}`, cropOf(p, ...crops[k]))))),
    ...(await Promise.all(screenshots.map((p, k) => item(`screen${k}`, p)))),
  ];
}, 60_000);

describe('crop search', () => {
  it('finds every crop of a photo through the window hashes, and the crop aligns within the threshold', () => {
    expect(photos).toHaveLength(3);
    const pairs = search(items).map(([i, j]) => `${items[i].label}>${items[j].label}`);
    for (let k = 0; k < 3; k++) {
      expect(pairs, `crop${k}`).toContain(`photo${k}>crop${k}`);
      expect(alignCrop(items[k].luma, items[3 + k].luma).difference, `crop${k}`).toBeLessThanOrEqual(
        CROP_DIFF_THRESHOLD,
      );
    }
  });

  it('does not merge look-alike screenshots, even when their windows match', () => {
    expect(screenshots.length).toBeGreaterThanOrEqual(4);
    const shots = items.filter((i) => i.label.startsWith('screen'));
    for (const a of shots) {
      for (const b of shots) {
        if (a !== b)
          expect(alignCrop(a.luma, b.luma).difference, `${a.label}>${b.label}`).toBeGreaterThan(
            CROP_DIFF_THRESHOLD,
          );
      }
    }
    // Unrelated photos are not even candidates.
    const pairs = search(items).filter(
      ([i, j]) => items[i].label.startsWith('photo') && items[j].label.startsWith('photo'),
    );
    expect(pairs).toEqual([]);
  });

  it('stores the hashes as one bigint array and reads them back', () => {
    const h = items[0].hashes;
    expect(decodeCropHashes(encodeCropHashes(h))).toEqual(h);
    expect(decodeCropHashes(encodeCropHashes(h).slice(0, 5))).toBeNull();
    expect(decodeCropHashes(null)).toBeNull();
  });
});
