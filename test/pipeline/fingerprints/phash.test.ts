import sharp, { type Sharp } from 'sharp';
import { describe, expect, it } from 'vitest';
import { lumaIntegral } from '../../../pipeline/fingerprints/lumaWindows.ts';
import {
  bigIntToHash,
  hamming,
  hashToBigInt,
  phashOfIntegral,
  phashOfPixels,
  popcount32,
} from '../../../pipeline/fingerprints/phash.ts';

async function phashOf(img: Sharp) {
  const { data, info } = await img
    .resize(256, 256, { fit: 'inside' })
    .raw()
    .toBuffer({ resolveWithObject: true });
  return phashOfPixels(data, info.width, info.height, info.channels);
}

const landscape = (w: number, h: number, hue: string) =>
  sharp({ create: { width: w, height: h, channels: 3, background: hue } }).composite([
    {
      input: Buffer.from(
        `<svg width="${w}" height="${h}"><circle cx="${w * 0.3}" cy="${h * 0.4}" r="${h * 0.25}" fill="#fff"/><rect x="${w * 0.55}" y="${h * 0.2}" width="${w * 0.3}" height="${h * 0.6}" fill="#123"/></svg>`,
      ),
    },
  ]);

describe('pHash', () => {
  it('maps resized and re-encoded copies to nearby hashes and different scenes far apart', async () => {
    const original = await landscape(1024, 768, '#68a').jpeg({ quality: 90 }).toBuffer();
    const a = await phashOf(sharp(original));
    const smaller = await phashOf(sharp(await sharp(original).resize(500).jpeg({ quality: 60 }).toBuffer()));
    const mirrored = await phashOf(sharp(original).flop());
    expect(hamming(a, smaller)).toBeLessThanOrEqual(2);
    expect(hamming(a, mirrored)).toBeGreaterThan(10);
  });

  it('gives the same hash from the summed-area table the crop hashes share, down to frames narrower than its grid', () => {
    for (const [w, h] of [
      [256, 192],
      [110, 256],
      [37, 250],
      [20, 12],
    ] as const) {
      // Smooth waves plus pseudo-random grain: coefficients near the median, where rounding could flip a bit.
      const data = new Uint8Array(w * h * 3);
      for (let i = 0; i < data.length; i++) {
        const x = (i / 3) % w;
        const y = Math.floor(i / 3 / w);
        data[i] = Math.round(
          127 + 60 * Math.sin(x / 9 + (i % 3)) * Math.cos(y / 13) + ((i * 2654435761) % 41) - 20,
        );
      }
      expect(phashOfIntegral(lumaIntegral(data, w, h, 3), data, 3)).toEqual(phashOfPixels(data, w, h, 3));
    }
  });

  it('round-trips through PostgreSQL’s signed bigint', () => {
    for (const h of [
      { hi: 0xffffffff, lo: 0xffffffff },
      { hi: 0x80000000, lo: 1 },
      { hi: 0, lo: 0 },
      { hi: 0x12345678, lo: 0x9abcdef0 },
    ]) {
      const v = hashToBigInt(h);
      expect(v >= -(2n ** 63n) && v < 2n ** 63n).toBe(true);
      expect(bigIntToHash(v)).toEqual(h);
    }
  });

  it('counts bits', () => {
    expect(popcount32(0)).toBe(0);
    expect(popcount32(0xffffffff)).toBe(32);
    expect(popcount32(0x80000001)).toBe(2);
    expect(hamming({ hi: 1, lo: 0 }, { hi: 0, lo: 3 })).toBe(3);
  });
});
