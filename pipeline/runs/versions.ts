// The check and model versions a run's stages stamp their results with, stored in the run's configuration so
// every export can say how its results were made (the same strings the stages write into check_results).
import * as copyrightText from '../checks/copyrightText.ts';
import * as duplicates from '../checks/duplicates.ts';
import * as exifCopyright from '../checks/exifCopyright.ts';
import * as resolution from '../checks/resolution.ts';
import path from 'node:path';
import { env } from '../../lib/env.ts';
import { describeModel, ModelNotInstalledError } from '../clip/modelDir.ts';
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
    // Not clip/config.ts: the web app creates runs too, and that module reads its own folder at load.
    // A broken model folder is the clip stage's to report; starting the run must not fail on it.
    versions.clip_model = await describeModel(path.resolve(env.CLIP_MODEL_DIR)).then(
      (m) => `${m.name}@${m.hash}`,
      (e: unknown) => (e instanceof ModelNotInstalledError ? 'not installed' : `unreadable: ${e instanceof Error ? e.message : String(e)}`),
    );
  }
  return versions;
}
