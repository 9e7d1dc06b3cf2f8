// The CLIP stage's batch (runs/stages/clip.ts plans and drives it): zero-shot non-photo / non-wholesome checks and stored embeddings for every fetched photo; resumable.
import {
  getClipInputs,
  listCurrentClipResults,
  saveClipResults,
  type ClipInput,
} from '../../lib/queries/clip.ts';
import { classifyInputs } from './classifyInputs.ts';
import type { ClipConfig } from './config.ts';
import { openClipRuntime, type ClipRuntime } from './runtime.ts';

export type ClipProgress = { done: number; total: number; failed: number };
export type ClipStageOptions = {
  runId?: string;
  signal?: AbortSignal;
  onProgress?: (p: ClipProgress) => void;
  config: ClipConfig;
  /** Redo photos whose last result was an error (a missing or corrupt crop that fetch has since replaced). */
  retryErrors?: boolean;
};
export type ClipStageResult = { done: number; failed: number; skipped: number };

async function processInputs(
  runtime: ClipRuntime,
  config: ClipConfig,
  inputs: ClipInput[],
  opts: ClipStageOptions,
  tally: ClipStageResult,
  total: number,
): Promise<void> {
  for await (const out of classifyInputs(runtime, config.dataDir, inputs, config.batchSize, opts.signal)) {
    // A batch's results are recorded only once written, so a crash redoes at most one batch.
    await saveClipResults(out.results, out.embeddings, runtime.modelKey, opts.runId ?? null);
    tally.done += out.done;
    tally.failed += out.failed;
    opts.onProgress?.({ done: tally.done + tally.failed, total, failed: tally.failed });
  }
}

/** Runs the checks for the given photos (a job runner's batch); current or unfetched ones are skipped. */
export async function runClipBatch(photoIds: string[], opts: ClipStageOptions): Promise<ClipStageResult> {
  const config = opts.config;
  const runtime = await openClipRuntime(config);
  const current = await listCurrentClipResults(photoIds, runtime.versions, opts.retryErrors);
  const inputs = (await getClipInputs(photoIds, runtime.modelKey)).filter((i) => !current.has(i.id));
  const tally: ClipStageResult = { done: 0, failed: 0, skipped: photoIds.length - inputs.length };
  await processInputs(runtime, config, inputs, opts, tally, inputs.length);
  return tally;
}
