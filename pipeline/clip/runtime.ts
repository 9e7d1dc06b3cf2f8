// Everything the CLIP checks need at run time: the model's sessions, class embeddings, versions and thresholds.
import path from 'node:path';
import type { ClipCheckName, ClipResultRow, ClipVersions } from '../../lib/queries/clip.ts';
import type { ClipConfig, Thresholds } from './config.ts';
import { ClipEncoders } from './encoders.ts';
import { decodeFloat16, encodeFloat16 } from './float16.ts';
import { describeModel, type ModelInfo } from './modelDir.ts';
import { hashPromptSet, loadPrompts } from './prompts.ts';
import { clipCheckVersions, SETS } from './versions.ts';
import { cachedClassEmbeddings, classify, verdictFor, type ClassEmbeddings } from './zeroShot.ts';

const TOP_CLASSES = 5;

export type ClipRuntime = {
  model: ModelInfo;
  /** `name@hash`, stored with each embedding. */
  modelKey: string;
  encoders: ClipEncoders;
  classes: Record<ClipCheckName, ClassEmbeddings>;
  promptHashes: Record<ClipCheckName, string>;
  thresholds: Record<ClipCheckName, Thresholds>;
  versions: ClipVersions;
};

const cache = new Map<string, Promise<ClipRuntime>>();

/** Opens (once per process and configuration) the model and prompt embeddings; throws ModelNotInstalledError. */
export function openClipRuntime(config: ClipConfig): Promise<ClipRuntime> {
  const key = JSON.stringify(config);
  let runtime = cache.get(key);
  if (!runtime) {
    runtime = load(config);
    cache.set(key, runtime);
    runtime.catch(() => cache.delete(key));
  }
  return runtime;
}

async function load(config: ClipConfig): Promise<ClipRuntime> {
  const model = await describeModel(config.modelDir);
  const prompts = loadPrompts(config.promptsFile);
  const encoders = await ClipEncoders.open(model, {
    threads: config.threads,
    executionProvider: config.executionProvider,
  });
  const cacheDir = path.join(config.dataDir, 'cache', 'clip-text');
  const classes = {} as ClipRuntime['classes'];
  const promptHashes = {} as ClipRuntime['promptHashes'];
  const thresholds = {} as ClipRuntime['thresholds'];
  const versions = clipCheckVersions(model.hash, config);
  for (const check of Object.keys(SETS) as ClipCheckName[]) {
    const set = prompts[SETS[check]];
    classes[check] = await cachedClassEmbeddings(encoders, model.hash, set, cacheDir);
    promptHashes[check] = hashPromptSet(set);
    thresholds[check] = config.thresholds[SETS[check]];
  }
  return {
    model,
    modelKey: `${model.name}@${model.hash}`,
    encoders,
    classes,
    promptHashes,
    thresholds,
    versions,
  };
}

export async function closeClipRuntimes(): Promise<void> {
  const all = [...cache.values()];
  cache.clear();
  for (const r of all) await (await r.catch(() => null))?.encoders.close();
}

/** Rounds a unit embedding to the stored float16 form; scoring always uses this form so fresh and re-scored results agree. */
export function storedForm(embedding: Float32Array): { bytes: Buffer; vector: Float32Array } {
  const bytes = encodeFloat16(embedding);
  return { bytes, vector: decodeFloat16(bytes) };
}

/** Both checks' result rows for one photo's (float16-rounded) embedding. */
export function scoreEmbedding(runtime: ClipRuntime, photoId: string, vector: Float32Array): ClipResultRow[] {
  return (Object.keys(SETS) as ClipCheckName[]).map((check) => {
    const c = classify(vector, runtime.classes[check], runtime.model.logitScale);
    const t = runtime.thresholds[check];
    return {
      photoId,
      check,
      verdict: verdictFor(c.score, t),
      score: c.score,
      version: runtime.versions[check],
      details: {
        model: { name: runtime.model.name, hash: runtime.model.hash },
        promptSet: runtime.promptHashes[check],
        logitScale: runtime.model.logitScale,
        thresholds: t,
        top: c.probabilities
          .slice(0, TOP_CLASSES)
          .map((p) => ({ class: p.name, p: Number(p.p.toFixed(4)), flagged: p.flagged })),
      },
    };
  });
}

/** Both checks' error rows for a photo whose image could not be used. */
export function errorRows(runtime: ClipRuntime, photoId: string, message: string): ClipResultRow[] {
  return (Object.keys(SETS) as ClipCheckName[]).map((check) => ({
    photoId,
    check,
    verdict: 'error' as const,
    score: null,
    version: runtime.versions[check],
    details: { model: { name: runtime.model.name, hash: runtime.model.hash }, error: message },
  }));
}
