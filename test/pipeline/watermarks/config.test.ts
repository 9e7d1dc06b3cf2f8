// Settings come from the environment (lib/settings.ts), are validated, and stamp results with a version that tracks them.
import { describe, expect, it } from 'vitest';
import { loadSettings } from '../../../lib/settings.ts';
import {
  configVersion,
  DEFAULT_CONFIG,
  verdictFor,
  watermarkConfig,
} from '../../../pipeline/watermarks/config.ts';

describe('watermark settings', () => {
  it('reads the environment with defaults', () => {
    expect(watermarkConfig(loadSettings({}))).toEqual({ ...DEFAULT_CONFIG, dataDir: './data' });
    expect(
      watermarkConfig(
        loadSettings({
          WATERMARK_MIN_PHOTOS: '12',
          WATERMARK_SAMPLE: '32',
          WATERMARK_FAIL: '0.7',
          DATA_DIR: '/srv/q',
        }),
      ),
    ).toMatchObject({ minPhotos: 12, sample: 32, fail: 0.7, dataDir: '/srv/q' });
  });

  it('rejects invalid values', () => {
    expect(() => loadSettings({ WATERMARK_FAIL: '2' })).toThrow(/WATERMARK_FAIL/);
    expect(() => loadSettings({ WATERMARK_FAIL: '0.2', WATERMARK_UNCERTAIN: '0.4' })).toThrow(
      /WATERMARK_UNCERTAIN \(0.4\) must not exceed WATERMARK_FAIL/,
    );
    expect(() => loadSettings({ WATERMARK_MIN_PHOTOS: '2' })).toThrow(/WATERMARK_MIN_PHOTOS/);
  });

  it('changes the version when a threshold changes, so stored results are recomputed', () => {
    expect(configVersion(DEFAULT_CONFIG)).toBe(configVersion({ ...DEFAULT_CONFIG }));
    expect(configVersion({ ...DEFAULT_CONFIG, photoMatch: 0.3 })).not.toBe(configVersion(DEFAULT_CONFIG));
  });

  it('maps scores to verdicts', () => {
    expect([0.1, 0.35, 0.9].map((s) => verdictFor(s, DEFAULT_CONFIG))).toEqual(['pass', 'uncertain', 'fail']);
  });
});
