// The watermark check's settings in its own shape, from lib/settings.ts (which defines, defaults and validates them),
// and the version string results are stamped with.
import { createHash } from 'node:crypto';
import { dataDir, loadSettings, settings as current, type Settings } from '../../lib/settings.ts';

/** Bump when the algorithm changes in a way that changes results: every account is then recomputed. */
// wm-2: photos matched by edge strength and direction; orientation groups too small for a median borrow the other's mark.
// wm-3: a mark in a corner or centred at the bottom needs less energy to count (faint light marks).
// wm-4: a box's density also counts pixels above z 3 when the estimate has 12 or more photos (faint marks).
export const ALGORITHM_VERSION = 'wm-4';

export type WatermarkConfig = {
  /** Accounts with fewer fetched photos are not assessed. */
  minPhotos: number;
  /** Photos sampled per orientation for the estimate. */
  sample: number;
  /** Account score at or above which the verdict is fail. */
  fail: number;
  /** Account score at or above which the verdict is uncertain. */
  uncertain: number;
  /** Photo correlation at or above which a photo carries the account's watermark. */
  photoMatch: number;
};

/** The watermark settings of `s` (the process's settings by default); a run's thresholds replace these per run. */
export function watermarkConfig(s: Settings = current): WatermarkConfig & { dataDir: string } {
  return {
    minPhotos: s.WATERMARK_MIN_PHOTOS,
    sample: s.WATERMARK_SAMPLE,
    fail: s.WATERMARK_FAIL,
    uncertain: s.WATERMARK_UNCERTAIN,
    photoMatch: s.WATERMARK_PHOTO_MATCH,
    // The process's data dir is read late (a launcher may set it after start-up), as lib/settings' dataDir() does.
    dataDir: s === current ? dataDir() : s.DATA_DIR,
  };
}

/** The built-in defaults (no environment), for measurements that must not depend on the operator's settings. */
export const DEFAULT_CONFIG: WatermarkConfig = (({ dataDir: _d, ...c }) => c)(
  watermarkConfig(loadSettings({})),
);

/** Algorithm version + hash of the settings: a stored result is current only while both match. */
export function configVersion(config: WatermarkConfig): string {
  const { minPhotos, sample, fail, uncertain, photoMatch } = config;
  const hash = createHash('sha256')
    .update(JSON.stringify([minPhotos, sample, fail, uncertain, photoMatch]))
    .digest('hex')
    .slice(0, 8);
  return `${ALGORITHM_VERSION}/${hash}`;
}

export function verdictFor(score: number, config: WatermarkConfig): 'pass' | 'fail' | 'uncertain' {
  return score >= config.fail ? 'fail' : score >= config.uncertain ? 'uncertain' : 'pass';
}
