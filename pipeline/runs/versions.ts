// The check and model versions a run's stages stamp their results with, stored in the run's configuration so
// every export can say how its results were made (the same strings the stages write into check_results).
import * as copyrightText from '../checks/copyrightText.ts';
import * as duplicates from '../checks/duplicates.ts';
import * as exifCopyright from '../checks/exifCopyright.ts';
import * as resolution from '../checks/resolution.ts';
import { clipModelStatus } from '../clip/status.ts';
import { configVersion, watermarkConfig } from '../watermarks/config.ts';
import type { Thresholds } from './config.ts';

export async function runVersions(stages: readonly string[], t: Thresholds): Promise<Record<string, string>> {
  const versions: Record<string, string> = {
    [resolution.NAME]: resolution.versionFor(t.minResolution),
    [exifCopyright.NAME]: exifCopyright.VERSION,
    [copyrightText.NAME]: copyrightText.VERSION,
    [duplicates.NAME]: duplicates.versionFor(t.nearDuplicateDistance),
    watermark: configVersion({ ...watermarkConfig(), fail: t.watermarkFail, uncertain: t.watermarkUncertain }),
  };
  // Only when the run classifies: identifying a model without a manifest hashes its files.
  if (stages.includes('clip')) {
    // A broken model folder is the clip stage's to report; starting the run must not fail on it.
    const status = await clipModelStatus().catch((e: unknown) => ({ installed: false as const, message: e instanceof Error ? e.message : String(e) }));
    versions.clip_model = status.installed ? `${status.name}@${status.hash}` : 'not installed';
  }
  return versions;
}
