// "More like this": the k photos whose embeddings are closest to a query embedding, by a blocked scan.
import { getEmbedding, listEmbeddingBlock } from '../../lib/queries/clip.ts';
import { decodeFloat16 } from './float16.ts';
import { multiplyTransposed } from './matmul.ts';

export type Neighbour = { photoId: string; similarity: number };

/** Keeps the k best of a stream of scored ids (k is small: a sorted insert beats a heap here). */
export class TopK {
  readonly items: Neighbour[] = [];
  constructor(private readonly k: number) {}
  offer(photoId: string, similarity: number): void {
    if (this.items.length === this.k && similarity <= this.items[this.k - 1].similarity) return;
    let at = this.items.findIndex((n) => n.similarity < similarity);
    if (at < 0) at = this.items.length;
    this.items.splice(at, 0, { photoId, similarity });
    if (this.items.length > this.k) this.items.pop();
  }
}

/** Scores one block of float16 vectors against the query and feeds the top-k. */
export async function scoreBlock(
  query: Float32Array,
  ids: string[],
  halves: Uint8Array[],
  top: TopK,
  exclude: string,
): Promise<void> {
  const dim = query.length;
  const block = new Float32Array(ids.length * dim);
  for (const [i, h] of halves.entries()) decodeFloat16(h, block, i * dim);
  const sims = await multiplyTransposed(query, 1, block, ids.length, dim);
  ids.forEach((id, i) => {
    if (id !== exclude) top.offer(id, sims[i]);
  });
}

/**
 * "More like this": the k photos most similar to a photo by CLIP embedding (same model), best first.
 * An exact scan in blocks of 20,000 vectors; returns [] when the photo has no embedding.
 */
export async function similarPhotos(
  photoId: string,
  k = 24,
): Promise<{ photoId: string; similarity: number }[]> {
  const target = await getEmbedding(photoId);
  if (!target) return [];
  const query = decodeFloat16(target.vector);
  const top = new TopK(k);
  let after: string | null = null;
  for (;;) {
    const block = await listEmbeddingBlock(target.model, after, 20_000);
    if (block.ids.length === 0) break;
    await scoreBlock(query, block.ids, block.vectors, top, photoId);
    after = block.ids[block.ids.length - 1];
  }
  return top.items;
}
