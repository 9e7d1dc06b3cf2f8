// The check and model versions a run's stages stamp their results with, stored in the run's configuration so
// every export can say how its results were made (the same strings the stages write into check_results).
import * as copyrightText from '../checks/copyrightText.ts';
import * as duplicates from '../checks/duplicates.ts';
import * as exifCopyright from '../checks/exifCopyright.ts';
import * as resolution from '../checks/resolution.ts';
import { describeModel, ModelNotInstalledError } from '../clip/modelDir.ts';
import { clipCheckVersions } from '../clip/versions.ts';
import { configVersion } from '../watermarks/config.ts';
import type { ResolvedRunConfig } from './config.ts';
import { stageSettings } from './stageSettings.ts';

export async function runVersions(config: ResolvedRunConfig): Promise<Record<string, string>> {
  const s = stageSettings(config);
  const versions: Record<string, string> = {
    [resolution.NAME]: resolution.versionFor(s.analyze.minResolution),
    [exifCopyright.NAME]: exifCopyright.VERSION,
    [copyrightText.NAME]: copyrightText.VERSION,
    [duplicates.NAME]: duplicates.versionFor(s.analyze.nearDuplicateDistance),
    watermark: configVersion(s.watermarks),
  };
  // Only when the run classifies: identifying a model without a manifest hashes its files.
  if (config.stages.includes('clip')) {
    // A broken model folder is the clip stage's to report; starting the run must not fail on it.
    try {
      const m = await describeModel(s.clip.modelDir);
      versions.clip_model = `${m.name}@${m.hash}`;
      Object.assign(versions, clipCheckVersions(m.hash, s.clip));
      // With a model fit for similarity, its near-duplicates join the clusters and the duplicate version names them.
      if (m.nearDuplicates)
        versions[duplicates.NAME] = duplicates.versionFor(s.analyze.nearDuplicateDistance, {
          modelKey: versions.clip_model,
          threshold: s.clip.nearDuplicate,
        });
    } catch (e) {
      versions.clip_model =
        e instanceof ModelNotInstalledError
          ? 'not installed'
          : `unreadable: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  return versions;
}
