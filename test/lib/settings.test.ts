// Every environment variable is defined, defaulted and validated in lib/settings.ts; run thresholds default to them.
import { describe, expect, it } from 'vitest';
import { loadSettings, thresholdDefaults } from '../../lib/settings.ts';

describe('settings', () => {
  it('fill defaults, parse numbers and lists, and treat empty strings as unset', () => {
    const s = loadSettings({
      MIN_RESOLUTION: '512',
      IMAGE_HOSTS: 'a.example, b.example:8080',
      FLICKR_API_KEY: '',
      CLIP_THREADS: '',
    });
    expect(s.MIN_RESOLUTION).toBe(512);
    expect(s.IMAGE_HOSTS).toEqual(['a.example', 'b.example:8080']);
    expect(s.FLICKR_API_KEY).toBeUndefined();
    expect(s.CLIP_THREADS).toBe(0);
    expect(s.NEAR_DUPLICATE_DISTANCE).toBe(6);
    expect(s.RUN_MAX_ATTEMPTS).toBe(4);
  });

  it('refuse bad values with the variable named, including an uncertain threshold above its fail', () => {
    expect(() => loadSettings({ MIN_RESOLUTION: 'big' })).toThrow(/MIN_RESOLUTION/);
    expect(() => loadSettings({ CLIP_BATCH_SIZE: '0' })).toThrow(/CLIP_BATCH_SIZE/);
    expect(() => loadSettings({ CLIP_NONPHOTO_FAIL: '0.4' })).toThrow(
      /CLIP_NONPHOTO_UNCERTAIN \(0.5\) must not exceed CLIP_NONPHOTO_FAIL \(0.4\)/,
    );
    expect(() => loadSettings({ RUN_POLL_SECONDS: '0' })).toThrow(/RUN_POLL_SECONDS/);
    // pg-boss refuses job heartbeats under 10 s: said at start-up, not at the first batch.
    expect(() => loadSettings({ RUN_HEARTBEAT_SECONDS: '5' })).toThrow(/RUN_HEARTBEAT_SECONDS/);
  });

  it('give a run its default thresholds', () => {
    expect(
      thresholdDefaults(
        loadSettings({
          MIN_RESOLUTION: '512',
          WATERMARK_FAIL: '0.7',
          CLIP_NONWHOLESOME_UNCERTAIN: '0.4',
          WATERMARK_SAMPLE: '32',
        }),
      ),
    ).toEqual({
      minResolution: 512,
      nearDuplicateDistance: 6,
      clipNonphotoFail: 0.8,
      clipNonphotoUncertain: 0.5,
      clipNonwholesomeFail: 0.8,
      clipNonwholesomeUncertain: 0.4,
      watermarkFail: 0.7,
      watermarkUncertain: 0.3,
      watermarkMinPhotos: 8,
      watermarkSample: 32,
    });
  });
});
