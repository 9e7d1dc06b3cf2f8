// Whether a CLIP model is installed, in words the CLI and the UI show.
import type { ClipConfig } from './config.ts';
import { describeModel, ModelNotInstalledError, modelFiles, readManifest } from './modelDir.ts';

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

export type UnfitModel = { name: string; modelKey: string; dir: string };

/**
 * The installed model, when its manifest declares its embeddings unfit for similarity (`"nearDuplicates": false`, as
 * the generated test model the demo uses does): the clip stage then neither indexes nor pairs them, so "similar
 * photos" must say so rather than that an index is not built yet. Read from the manifest alone, without hashing the
 * model files (a web request asks this): a re-hash keeps the manifest's flag anyway (buildManifest). Null when no
 * model is installed or it is fit.
 */
export function unfitInstalledModel(dir: string): UnfitModel | null {
  if (modelFiles(dir).missing.length) return null;
  let manifest: ReturnType<typeof readManifest>;
  try {
    manifest = readManifest(dir);
  } catch {
    return null; // unreadable: `models check` says why; similarity then answers as without a model
  }
  if (manifest?.nearDuplicates !== false) return null;
  return { name: manifest.name, modelKey: `${manifest.name}@${manifest.hash}`, dir };
}
