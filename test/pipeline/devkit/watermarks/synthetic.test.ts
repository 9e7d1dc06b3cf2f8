// The synthetic stamps really put ink where they say, so tests built on them can fail.
import { describe, expect, it } from 'vitest';
import { watermarkRng } from '../../../../pipeline/devkit/random.ts';
import {
  addBorder,
  stampWatermark,
  type WatermarkSpec,
} from '../../../../pipeline/devkit/watermarks/synthetic.ts';
import { renderBackground } from '../../../../pipeline/devkit/watermarks/syntheticBackground.ts';
import type { Box, RawImage } from '../../../../pipeline/watermarks/types.ts';

function changedShare(a: RawImage, b: RawImage, box: Box): { inside: number; outside: number } {
  let inN = 0,
    inChanged = 0,
    outN = 0,
    outChanged = 0;
  for (let y = 0; y < a.height; y++) {
    for (let x = 0; x < a.width; x++) {
      const i = (y * a.width + x) * 3;
      const changed =
        Math.abs(a.data[i] - b.data[i]) +
          Math.abs(a.data[i + 1] - b.data[i + 1]) +
          Math.abs(a.data[i + 2] - b.data[i + 2]) >
        6;
      const inside =
        x >= box.x * a.width &&
        x < (box.x + box.w) * a.width &&
        y >= box.y * a.height &&
        y < (box.y + box.h) * a.height;
      if (inside) {
        inN++;
        if (changed) inChanged++;
      } else {
        outN++;
        if (changed) outChanged++;
      }
    }
  }
  return { inside: inChanged / inN, outside: outChanged / outN };
}

const base = (kind: 'text' | 'logo'): WatermarkSpec => ({
  kind,
  text: '© Jane Doe',
  logo: 'camera',
  color: '#ffffff',
  opacity: 0.6,
  corner: 'bottom-right',
  size: kind === 'text' ? 0.3 : 0.12,
  margin: 0.03,
});

describe('stampWatermark', () => {
  for (const kind of ['text', 'logo'] as const) {
    it(`puts a ${kind} mark's ink inside the box it reports, near the chosen corner, and nowhere else`, async () => {
      const photo = renderBackground(480, 320, watermarkRng(`stamp-${kind}`));
      const { image, box } = await stampWatermark(photo, base(kind));
      expect(image.width).toBe(480);
      const share = changedShare(photo, image, box);
      expect(share.inside).toBeGreaterThan(0.08);
      expect(share.outside).toBeLessThan(0.01);
      expect(box.x + box.w).toBeGreaterThan(0.9);
      expect(box.y + box.h).toBeGreaterThan(0.9);
      expect(box.w).toBeGreaterThan(kind === 'text' ? 0.2 : 0.08);
    });
  }
});

describe('addBorder', () => {
  it('adds a uniform band around the photo', async () => {
    const photo = renderBackground(300, 200, watermarkRng('border'));
    const framed = await addBorder(photo, { kind: 'border', width: 0.05, color: '#ffffff' });
    expect(framed.width).toBe(320);
    expect(framed.height).toBe(220);
    for (const [x, y] of [
      [0, 0],
      [5, 110],
      [319, 219],
      [160, 9],
    ])
      expect(framed.data[(y * framed.width + x) * 3]).toBe(255);
  });

  it('draws a frame line inside the photo without growing it', async () => {
    const photo = renderBackground(300, 200, watermarkRng('frame'));
    const framed = await addBorder(photo, { kind: 'frame', inset: 0.05, thickness: 0.02, color: '#000000' });
    expect([framed.width, framed.height]).toEqual([300, 200]);
    const at = (x: number, y: number) => framed.data[(y * 300 + x) * 3];
    expect(at(150, 12)).toBeLessThan(10);
    expect(at(12, 100)).toBeLessThan(10);
  });
});
