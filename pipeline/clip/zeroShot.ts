// Zero-shot classification: prompt-ensembled class embeddings, softmax over CLIP's scaled cosines, thresholded verdicts.
import fs from 'node:fs';
import path from 'node:path';
import type { Thresholds } from './config.ts';
import { normaliseRows } from './encoders.ts';
import { classPrompts, hashPromptSet, type PromptSet } from './prompts.ts';

export type ClassEmbeddings = {
  names: string[];
  flagged: boolean[];
  /** [classes, dim], unit rows. */
  matrix: Float32Array;
  dim: number;
};

export type TextEncoder = { encodeTexts(texts: string[]): Promise<Float32Array>; dim: number };

/** Averages each class's unit prompt embeddings and renormalises: CLIP's prompt ensembling. */
export async function embedClasses(encoder: TextEncoder, set: PromptSet): Promise<ClassEmbeddings> {
  const prompts = set.classes.map((c) => classPrompts(set, c.name));
  const all = await encoder.encodeTexts(prompts.flat());
  const dim = encoder.dim;
  const matrix = new Float32Array(set.classes.length * dim);
  let row = 0;
  prompts.forEach((list, c) => {
    for (let p = 0; p < list.length; p++, row++) {
      for (let i = 0; i < dim; i++) matrix[c * dim + i] += all[row * dim + i];
    }
  });
  return {
    names: set.classes.map((c) => c.name),
    flagged: set.classes.map((c) => c.flagged),
    matrix: normaliseRows(matrix, dim),
    dim,
  };
}

const memoryCache = new Map<string, ClassEmbeddings>();

/**
 * Class embeddings for (model, prompt set), computed once: kept in memory and in
 * <cacheDir>/<model hash>-<set hash>.json so later runs and other workers skip the text encoder.
 */
export async function cachedClassEmbeddings(
  encoder: TextEncoder,
  modelHash: string,
  set: PromptSet,
  cacheDir: string,
): Promise<ClassEmbeddings> {
  const key = `${modelHash}-${hashPromptSet(set)}`;
  const hit = memoryCache.get(key);
  if (hit) return hit;
  const file = path.join(cacheDir, `${key}.json`);
  let result: ClassEmbeddings;
  if (fs.existsSync(file)) {
    const saved = JSON.parse(fs.readFileSync(file, 'utf8'));
    result = { ...saved, matrix: new Float32Array(Buffer.from(saved.matrix, 'base64').buffer.slice(0)) };
  } else {
    result = await embedClasses(encoder, set);
    fs.mkdirSync(cacheDir, { recursive: true });
    const tmp = `${file}.${process.pid}.tmp`;
    const matrix = Buffer.from(result.matrix.buffer, result.matrix.byteOffset, result.matrix.byteLength);
    fs.writeFileSync(tmp, JSON.stringify({ ...result, matrix: matrix.toString('base64') }));
    fs.renameSync(tmp, file);
  }
  memoryCache.set(key, result);
  return result;
}

export type Classification = {
  /** Sum of the flagged classes' probabilities. */
  score: number;
  probabilities: { name: string; p: number; flagged: boolean }[];
};

/** Softmax over logitScale × cosine for one unit image embedding. */
export function classify(image: Float32Array, classes: ClassEmbeddings, logitScale: number): Classification {
  const logits = classes.names.map((_, c) => {
    let dot = 0;
    for (let i = 0; i < classes.dim; i++) dot += image[i] * classes.matrix[c * classes.dim + i];
    return logitScale * dot;
  });
  const max = Math.max(...logits);
  const exps = logits.map((l) => Math.exp(l - max));
  const sum = exps.reduce((a, b) => a + b, 0);
  const probabilities = classes.names
    .map((name, c) => ({ name, p: exps[c] / sum, flagged: classes.flagged[c] }))
    .sort((a, b) => b.p - a.p);
  const score = probabilities.filter((x) => x.flagged).reduce((a, x) => a + x.p, 0);
  return { score, probabilities };
}

export type ClipVerdict = 'pass' | 'uncertain' | 'fail';

/** fail at or above `fail`; uncertain (to a reviewer) at or above `uncertain`; else pass. */
export function verdictFor(score: number, t: Thresholds): ClipVerdict {
  if (score >= t.fail) return 'fail';
  if (score >= t.uncertain) return 'uncertain';
  return 'pass';
}
