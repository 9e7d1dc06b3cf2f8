// Data the e2e specs need beyond users. Returns extra environment for the app (e.g. the simulator's hosts).
import { e2eClipModelDir } from './fixtures.ts';
import { seedQualityData } from './seedQuality.ts';
import { seedReviewData } from './seedReview.ts';
import { seedRunsData } from './seedRuns.ts';

export async function seedE2eData(opts: { dataDir: string }): Promise<Record<string, string>> {
  const reviewEnv = await seedReviewData(opts);
  const runsEnv = await seedRunsData(opts);
  const qualityEnv = await seedQualityData(opts);
  return { ...reviewEnv, ...runsEnv, ...qualityEnv, CLIP_MODEL_DIR: e2eClipModelDir(opts.dataDir) };
}
