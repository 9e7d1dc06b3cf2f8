// The CLIP stage's settings in its own shape, from lib/settings.ts (which defines, defaults and validates them).
import path from 'node:path';
import { dataDir, settings as current, type Settings } from '../../lib/settings.ts';

export type Thresholds = { fail: number; uncertain: number };

export type ClipConfig = {
  modelDir: string;
  promptsFile: string;
  batchSize: number;
  /** 0 lets onnxruntime choose. */
  threads: number;
  executionProvider: 'cpu' | 'cuda';
  thresholds: { nonphoto: Thresholds; nonwholesome: Thresholds };
  nearDuplicate: number;
  /** A memory guard: above this many embeddings CLIP pairs are not searched for. */
  nearDuplicateMaxPhotos: number;
  dataDir: string;
};

// The web app's bundle has no import.meta.dirname: there the file is found from the repository root.
export const DEFAULT_PROMPTS_FILE = path.join(
  import.meta.dirname ?? path.resolve(process.env.QUARRY_ROOT ?? process.cwd(), 'pipeline/clip'),
  'prompts.json',
);

/** The CLIP settings of `s` (the process's settings by default); a run's thresholds replace these per run. */
export function clipConfig(s: Settings = current): ClipConfig {
  return {
    modelDir: path.resolve(s.CLIP_MODEL_DIR),
    promptsFile: path.resolve(s.CLIP_PROMPTS_FILE ?? DEFAULT_PROMPTS_FILE),
    batchSize: s.CLIP_BATCH_SIZE,
    threads: s.CLIP_THREADS,
    executionProvider: s.CLIP_EXECUTION_PROVIDER,
    thresholds: {
      nonphoto: { fail: s.CLIP_NONPHOTO_FAIL, uncertain: s.CLIP_NONPHOTO_UNCERTAIN },
      nonwholesome: { fail: s.CLIP_NONWHOLESOME_FAIL, uncertain: s.CLIP_NONWHOLESOME_UNCERTAIN },
    },
    nearDuplicate: s.CLIP_NEAR_DUPLICATE,
    nearDuplicateMaxPhotos: s.CLIP_NEAR_DUPLICATE_MAX_PHOTOS,
    // The process's data dir is read late (a launcher may set it after start-up), as lib/settings' dataDir() does.
    dataDir: path.resolve(s === current ? dataDir() : s.DATA_DIR),
  };
}
