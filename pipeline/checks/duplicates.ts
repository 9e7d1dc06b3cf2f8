// Duplicate check: clusters photos by pHash distance, verified crop pairs and optional CLIP pairs; keeps one canonical per cluster, fails the rest.
import { buildIndex, planIndex, selfJoin, type HashColumns } from './dedupIndex.ts';
import {
  CROP_DIFF_THRESHOLD,
  CROP_SEARCH_DISTANCE,
  CROP_WEAK_BITS,
  PIXEL_DIFF_THRESHOLD,
} from './duplicateConfig.ts';
import { popcount32 } from '../fingerprints/phash.ts';
import type { CheckOutcome } from '../../lib/domain/checkOutcome.ts';
import { UnionFind } from './unionFind.ts';
import { configHash } from './version.ts';

export const NAME = 'duplicate';
/** `clip`: the embeddings (model name@hash) and cosine threshold of CLIP pairs, when they join the clusters. */
export const versionFor = (radius: number, clip?: { modelKey: string; threshold: number } | null) =>
  `3:${configHash({
    radius,
    hash: 'phash-dct-1..8',
    verify: PIXEL_DIFF_THRESHOLD,
    crop: {
      hash: 'zigzag-64/11-axis-windows',
      align: 'axes',
      radius: CROP_SEARCH_DISTANCE,
      weak: CROP_WEAK_BITS,
      verify: CROP_DIFF_THRESHOLD,
    },
    ...(clip ? { clip: { model: clip.modelKey, cosine: clip.threshold } } : {}),
  })}`;

/** The photos to cluster, as columns (10M photos must fit: no object per photo). */
export type DedupColumns = HashColumns & {
  ids: string[];
  /** Pixels of the original (or of the largest size known): the bigger copy stays. */
  pixels: Float64Array;
  /** Upload time in ms: among equal sizes the earliest upload stays. */
  uploaded: Float64Array;
  /** First 8 bytes of each content hash (two u32 per photo): equal → identical bytes → kind exact. */
  content?: Uint32Array;
};

/** A pair found by another method (CLIP embedding similarity), by photo id. */
export type ExtraPair = { a: string; b: string; kind?: 'clip'; similarity?: number };

export type DuplicateKind = 'exact' | 'near' | 'clip';
/** `similarity`: for kind clip, the highest cosine of the CLIP pairs that brought the photo in. */
export type ClusterMember = { index: number; distance: number; kind: DuplicateKind; similarity?: number };
export type Cluster = { canonical: number; members: ClusterMember[] };

/** The pHash pairs: given (already verified), or found within `radius`. */
export type ClusterOptions = { extraPairs?: ExtraPair[] } & ({ pairs: Pair[] } | { radius: number });

export function sameContent(c: DedupColumns, a: number, b: number): boolean {
  return (
    !!c.content && c.content[2 * a] === c.content[2 * b] && c.content[2 * a + 1] === c.content[2 * b + 1]
  );
}

/** Earlier in this order = better canonical: larger original, then earlier upload, then smaller id. */
function better(c: DedupColumns, a: number, b: number): boolean {
  if (c.pixels[a] !== c.pixels[b]) return c.pixels[a] > c.pixels[b];
  if (c.uploaded[a] !== c.uploaded[b]) return c.uploaded[a] < c.uploaded[b];
  const ia = c.ids[a];
  const ib = c.ids[b];
  return ia.length !== ib.length ? ia.length < ib.length : ia < ib;
}

export type Pair = [i: number, j: number, distance: number];

/** Every pair within `radius` by pHash (multi-index hashing; no all-pairs comparison). */
export function candidatePairs(cols: DedupColumns, radius: number): Pair[] {
  const pairs: Pair[] = [];
  if (cols.count > 1)
    selfJoin(buildIndex(cols, planIndex(cols.count, radius)), (i, j, d) => {
      pairs.push([i, j, d]);
    });
  return pairs;
}

/** Clusters by union-find over pHash pairs (computed unless given, e.g. already verified) and extra CLIP pairs. */
export function clusterDuplicates(
  cols: DedupColumns,
  opts: ClusterOptions,
): { clusters: Cluster[]; pairs: number } {
  const hashPairs = 'pairs' in opts ? opts.pairs : candidatePairs(cols, opts.radius);
  const hashUf = new UnionFind(cols.count);
  const allUf = new UnionFind(cols.count);
  let pairs = hashPairs.length;
  for (const [i, j] of hashPairs) {
    hashUf.union(i, j);
    allUf.union(i, j);
  }
  const similarity = new Map<number, number>();
  if (opts.extraPairs?.length) {
    const position = new Map(cols.ids.map((id, i) => [id, i]));
    const note = (i: number, s: number | undefined) => {
      if (s !== undefined) similarity.set(i, Math.max(s, similarity.get(i) ?? -1));
    };
    for (const p of opts.extraPairs) {
      const a = position.get(p.a);
      const b = position.get(p.b);
      if (a === undefined || b === undefined || a === b) continue;
      allUf.union(a, b);
      note(a, p.similarity);
      note(b, p.similarity);
      pairs++;
    }
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < cols.count; i++) {
    if (allUf.setSize(i) < 2) continue;
    const root = allUf.find(i);
    const g = groups.get(root);
    if (g) g.push(i);
    else groups.set(root, [i]);
  }
  const clusters: Cluster[] = [];
  for (const members of groups.values()) {
    const canonical = members.reduce((best, i) => (better(cols, i, best) ? i : best));
    clusters.push({
      canonical,
      members: members
        .filter((i) => i !== canonical)
        .map((i) => {
          const distance =
            popcount32((cols.hi[i] ^ cols.hi[canonical]) >>> 0) +
            popcount32((cols.lo[i] ^ cols.lo[canonical]) >>> 0);
          const kind: DuplicateKind = sameContent(cols, i, canonical)
            ? 'exact'
            : hashUf.find(i) === hashUf.find(canonical)
              ? 'near'
              : 'clip';
          const s = kind === 'clip' ? similarity.get(i) : undefined;
          return s === undefined ? { index: i, distance, kind } : { index: i, distance, kind, similarity: s };
        }),
    });
  }
  return { clusters, pairs };
}

/** The check result of a non-canonical member: it fails, pointing at the photo that stays. */
/** The score is the evidence that joined it: CLIP's cosine for a CLIP pair, else pHash closeness to the canonical. */
export function duplicateOutcome(
  canonicalId: string,
  m: Pick<ClusterMember, 'distance' | 'kind' | 'similarity'>,
  clusterSize: number,
): CheckOutcome {
  if (m.similarity !== undefined) {
    const similarity = Math.round(m.similarity * 1e4) / 1e4;
    return {
      verdict: 'fail',
      score: similarity,
      details: { canonicalId, distance: m.distance, kind: m.kind, similarity, clusterSize },
    };
  }
  return {
    verdict: 'fail',
    score: 1 - m.distance / 64,
    details: { canonicalId, distance: m.distance, kind: m.kind, clusterSize },
  };
}

export function canonicalOutcome(clusterSize: number): CheckOutcome {
  return { verdict: 'pass', score: 0, details: { canonical: true, clusterSize } };
}

export const UNIQUE_OUTCOME: CheckOutcome = { verdict: 'pass', score: 0, details: {} };
