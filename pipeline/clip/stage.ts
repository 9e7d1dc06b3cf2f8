// The CLIP stage: zero-shot non-photo / non-wholesome checks and stored embeddings for every fetched photo; resumable.
import {
  countClipWork,
  getClipInputs,
  listClipPending,
  listCurrentClipResults,
  saveClipResults,
  type ClipInput,
} from '../../lib/queries/clip.ts';
import { classifyInputs } from './classifyInputs.ts';
import { clipConfig, type ClipConfig } from './config.ts';
import { openClipRuntime, type ClipRuntime } from './runtime.ts';

export type ClipProgress = { done: number; total: number; failed: number };
export type ClipStageOptions = {
  limit?: number;
  runId?: string;
  signal?: AbortSignal;
  onProgress?: (p: ClipProgress) => void;
  config?: ClipConfig;
  /** Redo photos whose last result was an error (a missing or corrupt crop that fetch has since replaced). */
  retryErrors?: boolean;
};
export type ClipStageResult = { done: number; failed: number; skipped: number };

const PAGE = 512;

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

/** Runs the checks for every fetched photo without current results (up to `limit`). */
export async function runClipStage(opts: ClipStageOptions = {}): Promise<ClipStageResult> {
  const config = opts.config ?? clipConfig();
  const runtime = await openClipRuntime(config);
  const work = await countClipWork(runtime.versions, opts.retryErrors);
  const total = Math.min(work.pending, opts.limit ?? Infinity);
  const tally: ClipStageResult = { done: 0, failed: 0, skipped: work.total - work.pending };
  opts.onProgress?.({ done: 0, total, failed: 0 });
  let afterId: string | null = null;
  while (tally.done + tally.failed < total) {
    opts.signal?.throwIfAborted();
    const want = Math.min(PAGE, total - tally.done - tally.failed);
    const page = await listClipPending(runtime.versions, runtime.modelKey, afterId, want, opts.retryErrors);
    if (page.length === 0) break;
    afterId = page[page.length - 1].id;
    await processInputs(runtime, config, page, opts, tally, total);
  }
  return tally;
}

/** Runs the checks for the given photos (a job runner's batch); current or unfetched ones are skipped. */
export async function runClipBatch(photoIds: string[], opts: Omit<ClipStageOptions, 'limit'> = {}): Promise<ClipStageResult> {
  const config = opts.config ?? clipConfig();
  const runtime = await openClipRuntime(config);
  const current = await listCurrentClipResults(photoIds, runtime.versions, opts.retryErrors);
  const inputs = (await getClipInputs(photoIds, runtime.modelKey)).filter((i) => !current.has(i.id));
  const tally: ClipStageResult = { done: 0, failed: 0, skipped: photoIds.length - inputs.length };
  await processInputs(runtime, config, inputs, opts, tally, inputs.length);
  return tally;
}
