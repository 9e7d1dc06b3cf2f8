// Where a consistent structure sits changes how much evidence it needs: marks are put in corners or bottom-centre.
import { describe, expect, it } from 'vitest';
import {
  anchoredBox,
  anchoredMark,
  DEFAULT_ESTIMATE_PARAMS,
  scoreFeatures,
  type Features,
} from '../../../pipeline/watermarks/estimate.ts';

describe('anchored marks', () => {
  it('counts corners and bottom-centre as where marks go, and not mid-edge or top-centre boxes', () => {
    expect(anchoredBox({ x: 0.75, y: 0.92, w: 0.22, h: 0.06 })).toBe(true); // bottom-right text
    expect(anchoredBox({ x: 0.08, y: 0.05, w: 0.11, h: 0.08 })).toBe(true); // top-left logo
    expect(anchoredBox({ x: 0.44, y: 0.9, w: 0.12, h: 0.06 })).toBe(true); // bottom-centre
    expect(anchoredBox({ x: 0.03, y: 0.48, w: 0.08, h: 0.03 })).toBe(false); // left edge, half way down
    expect(anchoredBox({ x: 0.02, y: 0.17, w: 0.1, h: 0.19 })).toBe(false); // reaches the top band, centred below it
    expect(anchoredBox({ x: 0.51, y: 0.01, w: 0.13, h: 0.18 })).toBe(false); // top-centre
  });

  it('gives a few pixels in a corner (a dust speck) no credit for where they sit', () => {
    const corner = { x: 0.85, y: 0.9, w: 0.04, h: 0.03 };
    expect(anchoredMark(corner, 12)).toBe(false);
    expect(anchoredMark(corner, 31)).toBe(true);
  });

  it('scores a faint anchored mark higher than the same structure elsewhere, and a strong one the same', () => {
    const faint: Features = {
      energy: 250,
      pixels: 31,
      compactness: 1,
      area: 0.004,
      density: 0.19,
      sigma: 1,
      anchored: 0,
    };
    const elsewhere = scoreFeatures(faint, DEFAULT_ESTIMATE_PARAMS);
    const anchored = scoreFeatures({ ...faint, anchored: 1 }, DEFAULT_ESTIMATE_PARAMS);
    expect(elsewhere).toBeLessThan(0.3);
    expect(anchored).toBeGreaterThanOrEqual(0.3);
    const strong: Features = { ...faint, energy: 20000 };
    expect(scoreFeatures({ ...strong, anchored: 1 }, DEFAULT_ESTIMATE_PARAMS)).toBeCloseTo(
      scoreFeatures(strong, DEFAULT_ESTIMATE_PARAMS),
      3,
    );
  });
});
