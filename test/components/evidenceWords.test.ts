import { describe, expect, it } from 'vitest';
import { axisFormatter } from '../../components/charts/axis';
import { borderWords, describeBox, watermarkWords } from '../../components/review/evidenceWords';

describe('evidence in words', () => {
  it('places a watermark box in words instead of printing its JSON', () => {
    expect(describeBox({ x: 0.68, y: 0.82, w: 0.28, h: 0.12 })).toBe(
      'bottom-right corner, 28% × 12% of the photo',
    );
    expect(describeBox({ x: 0.3, y: 0.02, w: 0.4, h: 0.1 })).toBe('top edge, 40% × 10% of the photo');
    expect(describeBox({ x: 'a' })).toBeNull();
    const text = watermarkWords({
      box: { x: 0.02, y: 0.4, w: 0.2, h: 0.2 },
      orientation: 'landscape',
      accountScore: 0.8123,
    });
    expect(text).toBe(
      'The account’s repeated mark, outlined: left edge, 20% × 20% of the photo (account score 0.81).',
    );
    expect(text).not.toMatch(/[{}"]/);
  });

  it('says what a border or frame is and that it does not exclude the photo', () => {
    expect(
      borderWords({
        kind: 'border',
        sides: { top: 0.05, bottom: 0.05, left: 0, right: 0 },
        color: 250,
        photosWith: 9,
        photosSampled: 10,
      }),
    ).toBe(
      'A uniform light band on top and bottom (a border or letterbox) — a minor edit, not a reason to exclude. Seen on 9 of 10 sampled photos of the account.',
    );
    expect(
      borderWords({
        kind: 'frame',
        lines: [
          { axis: 'h', pos: 0.1 },
          { axis: 'h', pos: 0.9 },
        ],
        photosWith: 4,
        photosSampled: 5,
      }),
    ).toMatch(/^A drawn frame: 2 straight lines at the same place on every photo/);
    expect(borderWords({ kind: 'border', photoOnly: true })).toMatch(/^A uniform band on opposite edges/);
  });
});

describe('histogram axis labels', () => {
  it('tells the ends of a narrow score range apart', () => {
    const fmt = axisFormatter(0.0011, 0.0042);
    expect(fmt(0.0011)).not.toBe(fmt(0.0042));
    expect(fmt(0.0011)).toBe('0.0011');
    expect(axisFormatter(0, 1)(0.5)).toBe('0.50');
    expect(axisFormatter(0, 400)(250)).toBe('250');
    expect(axisFormatter(0.3, 0.3)(0.3)).toBe('0.30');
    // CLIP non-wholesome on wholesome photos: scores around a millionth.
    const tiny = axisFormatter(0, 1.3e-6);
    expect([tiny(0), tiny(0.65e-6), tiny(1.3e-6)]).toEqual(['0', '6.5e-7', '1.3e-6']);
  });
});
