// "Similar photos" for the review UI: a photo's nearest neighbours across all accounts, through the ANN index on disk.
import {
  getEmbedding,
  getEmbeddingVectors,
  getNeighbourCards,
  type NeighbourCard,
} from '../../lib/queries/clip.ts';
import { dataDir } from '../../lib/settings.ts';
import { searchSaved, viewSavedAnnIndex } from './annSaved.ts';
import { dot } from './annPairs.ts';
import { clipConfig } from './config.ts';
import { decodeFloat16 } from './float16.ts';
import { similarPhotos } from './similarity.ts';
import { unfitInstalledModel } from './status.ts';

export type SimilarPhoto = NeighbourCard & { similarity: number };
export type SimilarPhotos = {
  model: string | null;
  /**
   * `unfit`: the installed model's manifest declares its embeddings unfit for similarity, and the photo has none of
   * another model's to search by (`model` is then the installed one's name); `none`: no embedding yet.
   */
  source: 'index' | 'exact' | 'none' | 'unfit';
  neighbours: SimilarPhoto[];
};

/**
 * The k photos most similar to `photoId` by CLIP embedding (same model), best first, each with its exact cosine.
 * Through the index when one of the photo's model is saved (its nearest cells: p95 under 50 ms at 1M photos on the bench), else by an exact scan
 * (fine below ~100k photos, before the first clip run has saved an index). Never by the embeddings of an installed
 * model that declares them unfit for similarity: their neighbours would mean nothing (the test model's put any two
 * screenshots of one layout at cosine ≥ 0.998).
 */
export async function findSimilarPhotos(
  photoId: string,
  k = 12,
  dir = dataDir(),
  modelDir = clipConfig().modelDir,
): Promise<SimilarPhotos> {
  const target = await getEmbedding(photoId);
  const unfit = unfitInstalledModel(modelDir);
  // An older, fit model's embedding still answers; none, or the unfit model's own, would not (running the clip stage
  // with this model would not change that, so "no embedding yet" would mislead).
  if (unfit && (!target || target.model === unfit.modelKey))
    return { model: unfit.name, source: 'unfit', neighbours: [] };
  if (!target) return { model: null, source: 'none', neighbours: [] };
  const query = decodeFloat16(target.vector);
  const viewed = viewSavedAnnIndex(dir);
  let scored: { photoId: string; similarity: number }[];
  let source: 'index' | 'exact';
  if (viewed && viewed.meta.modelKey === target.model && viewed.meta.dims === query.length) {
    source = 'index';
    // The index ranks by the projected int8 cosine, which orders photos of moderate similarity a little differently
    // from the exact one, and a few entries may be gone or re-embedded since it was saved: more candidates (still
    // microseconds each) re-ranked by exact cosines, so the exact top k is among them.
    const wanted = Math.max(8 * k, 128);
    const m = await searchSaved(viewed, query, 1, Math.min(wanted, viewed.index.size()));
    const ids = [...m.keys.subarray(0, m.counts[0])]
      .map((key) => viewed.keys.idOf(key))
      .filter((id): id is string => id !== null && id !== photoId);
    const vectors = await getEmbeddingVectors(ids, target.model);
    scored = [...vectors]
      .map(([id, v]) => ({ photoId: id, similarity: dot(query, decodeFloat16(v)) }))
      .sort((a, b) => b.similarity - a.similarity)
      .slice(0, k);
  } else {
    source = 'exact';
    scored = await similarPhotos(photoId, k);
  }
  const cards = await getNeighbourCards(scored.map((s) => s.photoId));
  return {
    model: target.model,
    source,
    neighbours: scored.flatMap((s) => {
      const card = cards.get(s.photoId);
      return card ? [{ ...card, similarity: Math.round(s.similarity * 1e4) / 1e4 }] : [];
    }),
  };
}
