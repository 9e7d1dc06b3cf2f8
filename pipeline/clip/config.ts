// CLIP stage settings from the environment, validated once.
import path from 'node:path';
import { z } from 'zod';

const threshold = z.coerce.number().min(0).max(1);

const schema = z.object({
  CLIP_MODEL_DIR: z.string().default('./models/clip'),
  CLIP_PROMPTS_FILE: z.string().optional(),
  CLIP_BATCH_SIZE: z.coerce.number().int().min(1).max(1024).default(32),
  CLIP_THREADS: z.coerce.number().int().min(0).default(0),
  CLIP_EXECUTION_PROVIDER: z.enum(['cpu', 'cuda']).default('cpu'),
  CLIP_NONPHOTO_FAIL: threshold.default(0.8),
  CLIP_NONPHOTO_UNCERTAIN: threshold.default(0.5),
  CLIP_NONWHOLESOME_FAIL: threshold.default(0.8),
  CLIP_NONWHOLESOME_UNCERTAIN: threshold.default(0.5),
  CLIP_NEAR_DUPLICATE: threshold.default(0.95),
  CLIP_NEAR_DUPLICATE_MAX_PHOTOS: z.coerce.number().int().min(0).default(250_000),
  DATA_DIR: z.string().default('./data'),
});

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
  /** Above this many embeddings the exact (quadratic) near-duplicate search is not attempted. */
  nearDuplicateMaxPhotos: number;
  dataDir: string;
};

export const DEFAULT_PROMPTS_FILE = path.join(import.meta.dirname, 'prompts.json');

/** Reads the CLIP settings; empty strings count as unset so `.env` placeholders don't break parsing. */
export function clipConfig(env: Record<string, string | undefined> = process.env): ClipConfig {
  const raw = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const e = schema.parse(raw);
  for (const [name, t] of [
    ['NONPHOTO', [e.CLIP_NONPHOTO_FAIL, e.CLIP_NONPHOTO_UNCERTAIN]],
    ['NONWHOLESOME', [e.CLIP_NONWHOLESOME_FAIL, e.CLIP_NONWHOLESOME_UNCERTAIN]],
  ] as const) {
    if (t[1] > t[0]) throw new Error(`CLIP_${name}_UNCERTAIN (${t[1]}) must not exceed CLIP_${name}_FAIL (${t[0]})`);
  }
  return {
    modelDir: path.resolve(e.CLIP_MODEL_DIR),
    promptsFile: path.resolve(e.CLIP_PROMPTS_FILE ?? DEFAULT_PROMPTS_FILE),
    batchSize: e.CLIP_BATCH_SIZE,
    threads: e.CLIP_THREADS,
    executionProvider: e.CLIP_EXECUTION_PROVIDER,
    thresholds: {
      nonphoto: { fail: e.CLIP_NONPHOTO_FAIL, uncertain: e.CLIP_NONPHOTO_UNCERTAIN },
      nonwholesome: { fail: e.CLIP_NONWHOLESOME_FAIL, uncertain: e.CLIP_NONWHOLESOME_UNCERTAIN },
    },
    nearDuplicate: e.CLIP_NEAR_DUPLICATE,
    nearDuplicateMaxPhotos: e.CLIP_NEAR_DUPLICATE_MAX_PHOTOS,
    dataDir: path.resolve(e.DATA_DIR),
  };
}
