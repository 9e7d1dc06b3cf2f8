// The near-duplicate pass kept between runs: searches the ANN index only for photos embedded since the last pass, stores
// their verified pairs, and answers with every stored pair at the threshold (pairs among older photos are stored).
import {
  countOpenSearched,
  countUnsearchedEmbeddings,
  filterOpenSearched,
  getClipPairPass,
  listClipPairStrays,
  listClipPairs,
  listUnsearchedEmbeddings,
  resetClipPairPass,
  saveClosedGroups,
  saveSearchedBlock,
  saveStrayPairs,
  withClipPairLock,
  type StoredClipPair,
} from '../../lib/queries/clipPairs.ts';
import { getEmbeddingVectors } from '../../lib/queries/clip.ts';
import type { AnnMeta } from './annIndex.ts';
import type { AnnKeys } from './annKeys.ts';
import {
  CLOSURE_MAX,
  closeGroups,
  pairGroups,
  pairsAmong,
  pairsThroughIndex,
  SEARCH_BLOCK,
} from './annPairs.ts';
import { decodeFloat16 } from './float16.ts';
import type { UsearchIndex } from './usearch.ts';

/** What a pass did: `searched` rows went through the index; `reset` says why everything was searched again. */
export type PairPassProgress = { searched: number; total: number; pairs: number };
export type PairPassResult = {
  pairs: StoredClipPair[];
  searched: number;
  newPairs: number;
  closedPairs: number;
  /** Photos no search reached that this pass scored against every stray (its own and earlier passes'). */
  strays: number;
  floor: number;
  reset: 'first pass' | 'threshold below the stored floor' | 'index rebuilt' | null;
};

/** Photos loaded per query while completing groups and reading stored pairs. */
const PAGE = 10_000;

/**
 * Brings the stored pairs of `meta.modelKey` up to date with the index and returns those at or above `threshold`.
 * Pairs are stored down to the pass's floor (the threshold it started with); a higher threshold filters them, a lower
 * one, another index build (new parameters, quantization, a rebuild) or a first pass starts over. Each searched block
 * is written with its photos' searched marks in one transaction, and the groups' inner pairs are completed last with
 * marks of their own, so a pass killed anywhere resumes where it stopped, losing and doubling nothing. One pass at a
 * time (an advisory lock): a second waits, then finds the first's work stored.
 */
export function updateNearDuplicatePairs(...args: Parameters<typeof pairPass>): Promise<PairPassResult> {
  return withClipPairLock(() => pairPass(...args));
}

async function pairPass(
  index: UsearchIndex,
  keys: AnnKeys,
  meta: Pick<AnnMeta, 'modelKey' | 'builtAt'>,
  threshold: number,
  opts: { signal?: AbortSignal; blockSize?: number; onProgress?: (p: PairPassProgress) => void } = {},
): Promise<PairPassResult> {
  const model = meta.modelKey;
  const state = await getClipPairPass(model);
  let reset: PairPassResult['reset'] = null;
  if (!state) reset = 'first pass';
  else if (state.indexBuiltAt !== meta.builtAt) reset = 'index rebuilt';
  else if (threshold < state.floor) reset = 'threshold below the stored floor';
  const floor = reset || !state ? threshold : state.floor;
  if (reset) await resetClipPairPass({ model, floor, indexBuiltAt: meta.builtAt });

  const total = await countUnsearchedEmbeddings(model);
  let searched = 0;
  let newPairs = 0;
  opts.onProgress?.({ searched, total, pairs: newPairs });
  await pairsThroughIndex(index, keys, model, floor, {
    signal: opts.signal,
    blockSize: opts.blockSize ?? SEARCH_BLOCK,
    rows: (after, n) => listUnsearchedEmbeddings(model, after, n),
    onBlock: async (b) => {
      newPairs += await saveSearchedBlock(model, b.searched, b.pairs, b.strays);
      searched += b.searched.length;
      opts.onProgress?.({ searched, total, pairs: newPairs });
    },
  });

  opts.signal?.throwIfAborted();
  const strays = await scoreStrays(model, floor);
  newPairs += strays.pairs;

  const stored = await loadStoredPairs(model, floor);
  const closed = await closeOpenGroups(model, stored, floor, opts.signal);
  const all = [...stored, ...closed];
  return {
    pairs: all.filter((p) => p.similarity >= threshold),
    searched,
    newPairs,
    closedPairs: closed.length,
    strays: strays.scored,
    floor,
    reset,
  };
}

/**
 * Photos no index search reached (not even their own) find their reachable near-copies by their own search, but two
 * such near-copies find each other from neither side: each stray not scored yet (this pass's, or a killed pass's) is
 * scored exactly against every stray stored, of any pass; then the pairs and its mark are saved in one transaction.
 * Quadratic in the strays, a small share of the photos (pipeline/clip/README.md gives the measured shares).
 */
async function scoreStrays(model: string, floor: number): Promise<{ scored: number; pairs: number }> {
  const strays = await listClipPairStrays(model);
  if (strays.fresh === 0) return { scored: 0, pairs: 0 };
  const vectors = strays.vectors.map((v) => decodeFloat16(v));
  const pairs = await pairsAmong(strays.ids, vectors, floor, undefined, strays.fresh);
  const saved = await saveStrayPairs(model, pairs, strays.ids.slice(0, strays.fresh));
  return { scored: strays.fresh, pairs: saved };
}

async function loadStoredPairs(model: string, floor: number): Promise<StoredClipPair[]> {
  const out: StoredClipPair[] = [];
  for (let after: StoredClipPair | null = null; ; ) {
    const page = await listClipPairs(model, floor, after, PAGE * 5);
    if (page.length === 0) return out;
    for (const p of page) out.push(p);
    after = page[page.length - 1];
  }
}

/**
 * Completes the groups (of at most CLOSURE_MAX photos) that photos searched since the last completion joined: a pair
 * the index missed between two members is scored exactly (closeGroups). Groups untouched by new photos were completed
 * by an earlier pass. Then the pairs found are stored and every open photo marked closed, in one transaction (under
 * the pass's lock no other pass opens one meanwhile).
 */
async function closeOpenGroups(
  model: string,
  stored: StoredClipPair[],
  floor: number,
  signal?: AbortSignal,
): Promise<StoredClipPair[]> {
  if ((await countOpenSearched(model)) === 0) return [];
  signal?.throwIfAborted();
  const { rootOf, groups } = pairGroups(stored);
  // Only photos in some pair can be in a group: their open marks, asked page by page (a partial index answers).
  const touched = new Set<string>();
  const members = [...groups.values()].flat();
  for (let i = 0; i < members.length; i += PAGE)
    for (const id of await filterOpenSearched(model, members.slice(i, i + PAGE))) touched.add(rootOf(id));
  const inGroups = stored.filter((p) => {
    const r = rootOf(p.a);
    const n = groups.get(r)?.length ?? 0;
    return touched.has(r) && n > 2 && n <= CLOSURE_MAX;
  });
  const completed = await closeGroups(inGroups, floor, async (ids) => {
    const vectors = await getEmbeddingVectors(ids, model);
    return new Map([...vectors].map(([id, v]) => [id, decodeFloat16(v)]));
  });
  const found = completed.slice(inGroups.length);
  await saveClosedGroups(model, found);
  return found;
}
