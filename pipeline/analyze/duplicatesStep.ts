// Duplicate step (global): loads every fetched photo's pHash as columns, clusters, and stores a verdict per photo.
import type { DuplicatesProgress, DuplicatesStep } from '../../lib/domain/stageFinishing.ts';
import {
  countDuplicatePending,
  getContentHashes,
  listDedupRows,
  listFetchErrors,
  saveCheckResults,
  saveDuplicatePointers,
  type CheckResultRow,
} from '../../lib/queries/analysis.ts';
import { bigIntToHash } from '../fingerprints/phash.ts';
import { verifyCrops } from '../checks/verifyCrops.ts';
import { findCropCandidates } from './cropCandidates.ts';
import {
  candidatePairs,
  canonicalOutcome,
  clusterDuplicates,
  duplicateOutcome,
  NAME,
  UNIQUE_OUTCOME,
  versionFor,
  type DedupColumns,
} from '../checks/duplicates.ts';
import { UnionFind } from '../checks/unionFind.ts';
import { verifyPairs } from '../checks/verifyPairs.ts';
import {
  clipSourceNote,
  findClipNearDuplicates,
  type AnnBuilder,
  type ClipPairSource,
} from '../clip/nearDuplicates.ts';
import type { PairPassProgress } from '../clip/pairPass.ts';
import type { AnalyzeSettings } from './options.ts';

const PAGE = 10_000;

type CropColumns = { hi: Uint32Array; lo: Uint32Array; missing: Uint8Array };

/** Growable columns: 10M photos cost 8 (hash) + 8 (crop hash) + 1 + 8 (content prefix) + 16 (size, upload) bytes each, plus the id strings. */
async function loadColumns(): Promise<{ cols: DedupColumns; crop: CropColumns }> {
  let cap = PAGE;
  let cols: DedupColumns = {
    count: 0,
    ids: [],
    hi: new Uint32Array(cap),
    lo: new Uint32Array(cap),
    pixels: new Float64Array(cap),
    uploaded: new Float64Array(cap),
    content: new Uint32Array(2 * cap),
  };
  let crop: CropColumns = {
    hi: new Uint32Array(cap),
    lo: new Uint32Array(cap),
    missing: new Uint8Array(cap),
  };
  let after: string | null = null;
  for (;;) {
    const rows = await listDedupRows(after, PAGE);
    if (rows.length === 0) break;
    after = rows[rows.length - 1].id;
    if (cols.count + rows.length > cap) {
      cap *= 2;
      const grow = <T extends Uint32Array | Float64Array>(a: T, n: number): T => {
        const b = new (a.constructor as new (n: number) => T)(n);
        b.set(a);
        return b;
      };
      cols = {
        ...cols,
        hi: grow(cols.hi, cap),
        lo: grow(cols.lo, cap),
        pixels: grow(cols.pixels, cap),
        uploaded: grow(cols.uploaded, cap),
        content: grow(cols.content!, 2 * cap),
      };
      const missing = new Uint8Array(cap);
      missing.set(crop.missing);
      crop = { hi: grow(crop.hi, cap), lo: grow(crop.lo, cap), missing };
    }
    for (const r of rows) {
      const i = cols.count++;
      const h = bigIntToHash(r.phash);
      cols.ids.push(r.id);
      cols.hi[i] = h.hi;
      cols.lo[i] = h.lo;
      cols.pixels[i] = r.pixels;
      cols.uploaded[i] = r.uploaded.getTime();
      cols.content![2 * i] = parseInt(r.contentHash.slice(0, 8), 16) >>> 0;
      cols.content![2 * i + 1] = parseInt(r.contentHash.slice(8, 16), 16) >>> 0;
      if (r.cropFull === null) crop.missing[i] = 1;
      else ({ hi: crop.hi[i], lo: crop.lo[i] } = bigIntToHash(r.cropFull));
    }
  }
  return { cols, crop };
}

/** `clipPairs`: pairs CLIP embeddings contributed; `clipNote` says which model at which threshold, or why none. */
export type DuplicatesSummary = {
  skipped: boolean;
  photos: number;
  clusters: number;
  duplicates: number;
  pairs: number;
  rejected: number;
  crops: number;
  cropRejected: number;
  errors: number;
  clipPairs: number;
  clipNote: string;
};

/**
 * Recomputes clusters over all fetched photos (a new photo can join any cluster) and writes only what
 * changed. Skipped when every photo already has a current result and no extra pairs were given.
 */
export async function runDuplicates(
  s: AnalyzeSettings,
  opts: {
    force?: boolean;
    clip?: { source: ClipPairSource | null; note: string };
    /** How the ANN index gets built: a run's stage passes the queued build (one worker at a time builds). */
    buildIndex?: AnnBuilder;
    /** The near-duplicate search's progress (photos searched of those embedded since the last pass). */
    onClipProgress?: (p: PairPassProgress) => void;
    /** The step's other counted parts (pixel checks of candidates, crops, verdicts written), for its stage's notes. */
    onProgress?: (p: DuplicatesProgress) => void;
  } = {},
): Promise<DuplicatesSummary> {
  // The caller says which CLIP embeddings join (clipPairSource of its stage settings); none unless it does.
  const { source, note: clipNote } = opts.clip ?? {
    source: s.clipPairs ?? null,
    note: s.clipPairs ? clipSourceNote(s.clipPairs) : 'CLIP near-duplicates not used',
  };
  const version = versionFor(s.nearDuplicateDistance, source);
  if (!opts.force && !s.extraPairs?.length && (await countDuplicatePending(version)) === 0) {
    return {
      skipped: true,
      photos: 0,
      clusters: 0,
      duplicates: 0,
      pairs: 0,
      rejected: 0,
      crops: 0,
      cropRejected: 0,
      errors: 0,
      clipPairs: 0,
      clipNote,
    };
  }
  const { cols, crop } = await loadColumns();
  const candidates = candidatePairs(cols, s.nearDuplicateDistance);
  const crops = await findCropCandidates(
    cols.ids,
    { hi: crop.hi, lo: crop.lo, count: cols.count },
    crop.missing,
  );
  // Candidates are few (thousands at 10M photos): their full content hashes locate the thumbnails to compare.
  const involved = [...new Set([...candidates, ...crops.pairs].flatMap(([i, j]) => [i, j]))];
  const hashes = new Map<number, string>();
  for (let k = 0; k < involved.length; k += PAGE) {
    const chunk = involved.slice(k, k + PAGE);
    const found = await getContentHashes(chunk.map((i) => cols.ids[i]));
    for (const i of chunk) {
      const h = found.get(cols.ids[i]);
      if (h) hashes.set(i, h);
    }
  }
  const progress = (step: DuplicatesStep) => (done: number, total: number) =>
    opts.onProgress?.({ step, done, total });
  const { kept, rejected } = await verifyPairs(candidates, (i) => hashes.get(i), {
    dataDir: s.dataDir,
    onProgress: progress('pairs'),
  });
  const joined = new UnionFind(cols.count);
  for (const [i, j] of kept) joined.union(i, j);
  const verifiedCrops = await verifyCrops(crops.pairs, (i) => hashes.get(i), {
    dataDir: s.dataDir,
    joined,
    onProgress: progress('crops'),
  });
  const cropPairs = verifiedCrops.kept.map(({ pair: [i, j, d] }): [number, number, number] => [i, j, d]);
  // Semantic pairs need no pixel verification: they are meant to catch what pixels miss (heavier edits, other crops).
  const semantic = source
    ? await findClipNearDuplicates(source.threshold, {
        modelKey: source.modelKey,
        dataDir: s.dataDir,
        signal: s.signal,
        build: opts.buildIndex,
        onProgress: opts.onClipProgress,
      })
    : [];
  const extraPairs = [
    ...(s.extraPairs ?? []),
    ...semantic.map((p) => ({ a: p.a, b: p.b, kind: 'clip' as const, similarity: p.similarity })),
  ];
  const { clusters, pairs } = clusterDuplicates(cols, { pairs: [...kept, ...cropPairs], extraPairs });
  const verdicts = new Map<number, CheckResultRow>();
  const pointers = new Map<number, string>();
  let duplicates = 0;
  for (const c of clusters) {
    const size = c.members.length + 1;
    verdicts.set(c.canonical, {
      photoId: cols.ids[c.canonical],
      check: NAME,
      version,
      ...canonicalOutcome(size),
    });
    for (const m of c.members) {
      duplicates++;
      verdicts.set(m.index, {
        photoId: cols.ids[m.index],
        check: NAME,
        version,
        ...duplicateOutcome(cols.ids[c.canonical], m, size),
      });
      pointers.set(m.index, cols.ids[c.canonical]);
    }
  }
  const written = progress('results');
  for (let start = 0; start < cols.count; start += PAGE) {
    written(start, cols.count);
    s.signal?.throwIfAborted();
    const rows: CheckResultRow[] = [];
    const ptr: { id: string; duplicateOf: string | null }[] = [];
    for (let i = start; i < Math.min(cols.count, start + PAGE); i++) {
      rows.push(verdicts.get(i) ?? { photoId: cols.ids[i], check: NAME, version, ...UNIQUE_OUTCOME });
      ptr.push({ id: cols.ids[i], duplicateOf: pointers.get(i) ?? null });
    }
    await saveCheckResults(rows, s.runId);
    await saveDuplicatePointers(ptr);
  }
  written(cols.count, cols.count);
  // Photos whose image could not be fetched cannot be compared: say so on the check, with the fetch error as evidence.
  let errors = 0;
  for (let after: string | null = null; ; ) {
    const page = await listFetchErrors(after, PAGE);
    if (page.length === 0) break;
    after = page[page.length - 1].id;
    errors += page.length;
    await saveCheckResults(
      page.map((p) => ({
        photoId: p.id,
        check: NAME,
        version,
        verdict: 'error',
        score: null,
        details: { reason: 'image not fetched', fetchError: p.fetchError },
      })),
      s.runId,
    );
  }
  return {
    skipped: false,
    photos: cols.count,
    clusters: clusters.length,
    duplicates,
    pairs,
    rejected,
    crops: cropPairs.length,
    cropRejected: verifiedCrops.rejected,
    errors,
    clipPairs: semantic.length,
    clipNote,
  };
}
