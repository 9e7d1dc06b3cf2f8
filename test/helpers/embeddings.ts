// Seeded vectors and stored CLIP embeddings for the ANN index and near-duplicate pair tests.
import { db } from '../../lib/db.ts';
import { encodeFloat16 } from '../../pipeline/clip/float16.ts';

/** Seeded normal deviates (Box–Muller over a small LCG): the same set on every run. */
export function gaussian(seed: number): () => number {
  let s = seed;
  const u = () => {
    s = (s * 1664525 + 1013904223) % 2 ** 32;
    return (s + 1) / (2 ** 32 + 1);
  };
  return () => Math.sqrt(-2 * Math.log(u())) * Math.cos(2 * Math.PI * u());
}

export function unit(v: number[]): number[] {
  const n = Math.hypot(...v);
  return v.map((x) => x / n);
}

/**
 * Stores photos of `owner` (an account the test created) with these embeddings, under decimal (Flickr-like) ids
 * counted up from `firstId`; each call returns its photos' ids.
 */
export function embeddingWriter(
  owner: string,
  firstId: number,
  defaultModel: string,
): (vectors: number[][], model?: string) => Promise<string[]> {
  let nextId = firstId;
  return async (vectors, model = defaultModel) => {
    const ids = vectors.map(() => String(nextId++));
    await db().photo.createMany({
      data: ids.map((id) => ({
        id,
        ownerNsid: owner,
        secret: 's',
        server: '1',
        license: 9,
        dateUpload: new Date('2020-01-01'),
      })),
    });
    await db().photoEmbedding.createMany({
      data: ids.map((photoId, i) => ({ photoId, model, vector: new Uint8Array(encodeFloat16(vectors[i])) })),
    });
    return ids;
  };
}
