// "More like this": the k photos whose embeddings are closest to a query embedding, by a blocked scan.
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
export async function scoreBlock(query: Float32Array, ids: string[], halves: Uint8Array[], top: TopK, exclude: string): Promise<void> {
  const dim = query.length;
  const block = new Float32Array(ids.length * dim);
  halves.forEach((h, i) => decodeFloat16(h, block, i * dim));
  const sims = await multiplyTransposed(query, 1, block, ids.length, dim);
  ids.forEach((id, i) => {
    if (id !== exclude) top.offer(id, sims[i]);
  });
}
