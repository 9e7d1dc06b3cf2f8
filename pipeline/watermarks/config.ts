// Watermark check settings from the environment (validated), and the version string results are stamped with.
import { createHash } from 'node:crypto';
import { z } from 'zod';

/** Bump when the algorithm changes in a way that changes results: every account is then recomputed. */
// wm-2: photos matched by edge strength and direction; orientation groups too small for a median borrow the other's mark.
// wm-3: a mark in a corner or centred at the bottom needs less energy to count (faint light marks).
// wm-4: a box's density also counts pixels above z 3 when the estimate has 12 or more photos (faint marks).
export const ALGORITHM_VERSION = 'wm-4';

const schema = z.object({
  WATERMARK_MIN_PHOTOS: z.coerce.number().int().min(3).default(8),
  WATERMARK_SAMPLE: z.coerce.number().int().min(4).max(1024).default(64),
  WATERMARK_FAIL: z.coerce.number().min(0).max(1).default(0.5),
  WATERMARK_UNCERTAIN: z.coerce.number().min(0).max(1).default(0.3),
  WATERMARK_PHOTO_MATCH: z.coerce.number().min(-1).max(1).default(0.12),
  DATA_DIR: z.string().default('./data'),
});

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

export const DEFAULT_CONFIG: WatermarkConfig = { minPhotos: 8, sample: 64, fail: 0.5, uncertain: 0.3, photoMatch: 0.12 };

export function watermarkConfig(source: Record<string, string | undefined> = process.env): WatermarkConfig & { dataDir: string } {
  const parsed = schema.safeParse(source);
  if (!parsed.success) {
    throw new Error(`Invalid watermark settings: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  if (e.WATERMARK_UNCERTAIN > e.WATERMARK_FAIL) throw new Error('WATERMARK_UNCERTAIN must not exceed WATERMARK_FAIL');
  return {
    minPhotos: e.WATERMARK_MIN_PHOTOS,
    sample: e.WATERMARK_SAMPLE,
    fail: e.WATERMARK_FAIL,
    uncertain: e.WATERMARK_UNCERTAIN,
    photoMatch: e.WATERMARK_PHOTO_MATCH,
    dataDir: e.DATA_DIR,
  };
}

/** Algorithm version + hash of the settings: a stored result is current only while both match. */
export function configVersion(config: WatermarkConfig): string {
  const { minPhotos, sample, fail, uncertain, photoMatch } = config;
  const hash = createHash('sha256').update(JSON.stringify([minPhotos, sample, fail, uncertain, photoMatch])).digest('hex').slice(0, 8);
  return `${ALGORITHM_VERSION}/${hash}`;
}

export function verdictFor(score: number, config: WatermarkConfig): 'pass' | 'fail' | 'uncertain' {
  return score >= config.fail ? 'fail' : score >= config.uncertain ? 'uncertain' : 'pass';
}
