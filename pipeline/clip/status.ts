// Whether a CLIP model is installed, in words the CLI and the UI show.
import type { ClipConfig } from './config.ts';
import { describeModel, ModelNotInstalledError } from './modelDir.ts';

export type ClipModelStatus =
  | { installed: true; name: string; hash: string; dir: string; nearDuplicates: boolean }
  | { installed: false; dir: string; message: string };

export async function clipModelStatus(config: Pick<ClipConfig, 'modelDir'>): Promise<ClipModelStatus> {
  try {
    const m = await describeModel(config.modelDir);
    return { installed: true, name: m.name, hash: m.hash, dir: m.dir, nearDuplicates: m.nearDuplicates };
  } catch (err) {
    if (err instanceof ModelNotInstalledError) {
      return {
        installed: false,
        dir: config.modelDir,
        message: `CLIP model not installed (${err.missing.join(', ')} missing in ${config.modelDir})`,
      };
    }
    throw err;
  }
}
