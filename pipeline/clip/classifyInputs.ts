// Classifies photos batch by batch, decoding the next batch's crops while the current one runs through the model.
import type { ClipInput, ClipResultRow, EmbeddingRow } from '../../lib/queries/clip.ts';
import { decodeFloat16 } from './float16.ts';
import { readClipCrop } from './imageSource.ts';
import { CLIP_PIXELS, toClipTensor } from './preprocess.ts';
import { errorRows, scoreEmbedding, storedForm, type ClipRuntime } from './runtime.ts';

export type BatchOutput = {
  results: ClipResultRow[];
  embeddings: EmbeddingRow[];
  done: number;
  failed: number;
};

type Prepared = { ids: string[]; tensor: Float32Array; errors: ClipResultRow[] };

/** Crops decode on libvips' threads, a few at a time, straight into the batch tensor. */
async function prepare(runtime: ClipRuntime, dataDir: string, inputs: ClipInput[]): Promise<Prepared> {
  const crops = await Promise.all(inputs.map((i) => readClipCrop(dataDir, i.contentHash)));
  const ids: string[] = [];
  const errors: ClipResultRow[] = [];
  const tensor = new Float32Array(inputs.length * 3 * CLIP_PIXELS);
  crops.forEach((c, k) => {
    if (c.ok) toClipTensor(c.rgb, 1, tensor, ids.push(inputs[k].id) - 1);
    else errors.push(...errorRows(runtime, inputs[k].id, c.error));
  });
  return { ids, tensor: tensor.subarray(0, ids.length * 3 * CLIP_PIXELS), errors };
}

/**
 * Yields one output per batch. Photos that already have an embedding from this model are re-scored without
 * inference (a prompt or threshold change costs no image work).
 */
export async function* classifyInputs(
  runtime: ClipRuntime,
  dataDir: string,
  inputs: ClipInput[],
  batchSize: number,
  signal?: AbortSignal,
): AsyncGenerator<BatchOutput> {
  const known = inputs.filter((i) => i.embedding && i.embedding.length === runtime.encoders.dim * 2);
  if (known.length) {
    const results = known.flatMap((i) => scoreEmbedding(runtime, i.id, decodeFloat16(i.embedding!)));
    yield { results, embeddings: [], done: known.length, failed: 0 };
  }
  const todo = inputs.filter((i) => !known.includes(i));
  const batches: ClipInput[][] = [];
  for (let i = 0; i < todo.length; i += batchSize) batches.push(todo.slice(i, i + batchSize));
  let next = batches.length ? prepare(runtime, dataDir, batches[0]) : null;
  for (let b = 0; b < batches.length; b++) {
    signal?.throwIfAborted();
    const current = await next!;
    next = b + 1 < batches.length ? prepare(runtime, dataDir, batches[b + 1]) : null;
    // Keep a rejected prefetch from surfacing as unhandled while this batch runs; it is awaited next turn.
    next?.catch(() => {});
    const results = [...current.errors];
    const embeddings: EmbeddingRow[] = [];
    if (current.ids.length) {
      const vectors = await runtime.encoders.encodeImages(current.tensor, current.ids.length);
      const dim = runtime.encoders.dim;
      current.ids.forEach((id, k) => {
        const { bytes, vector } = storedForm(vectors.subarray(k * dim, (k + 1) * dim));
        embeddings.push({ photoId: id, vector: bytes });
        results.push(...scoreEmbedding(runtime, id, vector));
      });
    }
    yield { results, embeddings, done: current.ids.length, failed: current.errors.length / 2 };
  }
}
