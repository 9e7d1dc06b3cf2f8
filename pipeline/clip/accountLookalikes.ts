// "Similar photos in other accounts" for the account page: are this account's photos copies of someone else's?
// Its most recent photos are searched in the saved ANN index; neighbours owned by other accounts make the pairs.
import {
  countAccountPhotos,
  getEmbeddingVectors,
  getNeighbourCards,
  getPhotoOwners,
  listRecentAccountEmbeddings,
  type NeighbourCard,
} from '../../lib/queries/clip.ts';
import { NotFoundError } from '../../lib/errors.ts';
import { dataDir } from '../../lib/settings.ts';
import { dot } from './annPairs.ts';
import { clipConfig } from './config.ts';
import { unfitInstalledModel } from './status.ts';
import { searchSaved, viewSavedAnnIndex } from './annSaved.ts';
import { decodeFloat16 } from './float16.ts';

/**
 * The account's photos searched: the most recent 100. Search dominates the answer's time and grows with this (each
 * photo scans LOOKALIKE_SCAN_ROWS rows of its nearest cells; the database's part was 0.3 s even for a 200k-photo
 * account), so a page shows a recent sample, and says so.
 */
export const LOOKALIKE_SAMPLE = 100;
/** Rows each searched photo scans in its nearest cells: a quarter of a "similar photos" query's, for 100 photos at once. */
const LOOKALIKE_SCAN_ROWS = 8192;
/** Neighbours asked per photo: an account's own photos crowd its nearest ones, so more than the pairs kept. */
const SEARCH_K = 16;
/** Pairs kept per photo of the account (its best matches in other accounts). */
export const LOOKALIKES_PER_PHOTO = 3;

export type LookalikePair = { photo: NeighbourCard; other: NeighbourCard; similarity: number };
export type AccountLookalikes =
  /** The installed model declares its embeddings unfit for similarity (`model`: its name), and no fit model's index answers. */
  | { status: 'unfit'; model: string }
  | { status: 'no-index' }
  | {
      status: 'ok';
      model: string;
      indexSize: number;
      indexUpdatedAt: string;
      /** Photos of the account stored, and how many of the most recent ones with an embedding were searched. */
      accountPhotos: number;
      searched: number;
      sampleLimit: number;
      /** Best first; up to LOOKALIKES_PER_PHOTO per searched photo, any cosine (the page's cutoff filters). */
      pairs: LookalikePair[];
    };

/** Throws NotFoundError for an account that does not exist. */
export async function findAccountLookalikes(
  nsid: string,
  opts: { sample?: number; dir?: string; modelDir?: string } = {},
): Promise<AccountLookalikes> {
  const accountPhotos = await countAccountPhotos(nsid);
  if (accountPhotos === null) throw new NotFoundError(`No account ${nsid}`);
  const saved = viewSavedAnnIndex(opts.dir ?? dataDir());
  // An installed model whose embeddings mean nothing for similarity: say so, not that an index is missing (the clip
  // stage never builds one for it) nor that embeddings are (they may well exist). An older fit model's index still
  // answers below, and the page names its model.
  const unfit = unfitInstalledModel(opts.modelDir ?? clipConfig().modelDir);
  if (unfit && (!saved || saved.meta.modelKey === unfit.modelKey))
    return { status: 'unfit', model: unfit.name };
  if (!saved) return { status: 'no-index' };
  const { index, keys, meta } = saved;
  const sampleLimit = opts.sample ?? LOOKALIKE_SAMPLE;
  const dims = meta.dims;
  // A vector of another length (a model re-exported under its old name) cannot be searched in this index.
  const mine = (await listRecentAccountEmbeddings(nsid, meta.modelKey, sampleLimit)).filter(
    (m) => m.vector.length === 2 * dims,
  );
  const base = {
    status: 'ok' as const,
    model: meta.modelKey,
    indexSize: index.size(),
    indexUpdatedAt: meta.updatedAt,
    accountPhotos,
    searched: mine.length,
    sampleLimit,
  };
  if (mine.length === 0 && unfit) return { status: 'unfit', model: unfit.name };
  if (mine.length === 0 || index.size() < 2) return { ...base, pairs: [] };

  const queries = new Float32Array(mine.length * dims);
  for (const [i, m] of mine.entries()) decodeFloat16(m.vector, queries, i * dims);
  const k = Math.min(SEARCH_K, index.size());
  const found = await searchSaved(saved, queries, mine.length, k, LOOKALIKE_SCAN_ROWS);
  // Candidates by the index's (quantized) cosine; owners looked up once for all of them.
  const candidates = mine.map((_, i) => {
    const out: { id: string; approx: number }[] = [];
    for (let j = 0; j < found.counts[i]; j++) {
      const id = keys.idOf(found.keys[i * k + j]);
      if (id !== null) out.push({ id, approx: found.similarities[i * k + j] });
    }
    return out;
  });
  const owners = await getPhotoOwners([...new Set(candidates.flat().map((c) => c.id))]);
  const chosen = candidates.map((cs) =>
    cs.filter((c) => owners.has(c.id) && owners.get(c.id) !== nsid).slice(0, LOOKALIKES_PER_PHOTO),
  );
  // Exact cosines from the stored vectors: the index may predate a re-embedding, and quantization moves a cosine.
  const others = await getEmbeddingVectors([...new Set(chosen.flat().map((c) => c.id))], meta.modelKey);
  const scored = chosen.flatMap((cs, i) =>
    cs.flatMap((c) => {
      const v = others.get(c.id);
      if (!v) return [];
      const q = queries.subarray(i * dims, (i + 1) * dims);
      return [{ photoId: mine[i].photoId, otherId: c.id, similarity: dot(q, decodeFloat16(v)) }];
    }),
  );
  scored.sort((a, b) => b.similarity - a.similarity || a.photoId.localeCompare(b.photoId));
  const cards = await getNeighbourCards([...new Set(scored.flatMap((s) => [s.photoId, s.otherId]))]);
  return {
    ...base,
    pairs: scored.flatMap((s) => {
      const photo = cards.get(s.photoId);
      const other = cards.get(s.otherId);
      return photo && other ? [{ photo, other, similarity: Math.round(s.similarity * 1e4) / 1e4 }] : [];
    }),
  };
}
