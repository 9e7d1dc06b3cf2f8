// Duplicate detection measured on the real-photo set: every variant through the fetch stage's processing and the duplicate step's search and verification.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { decodeCropHashes, encodeCropHashes } from '../../fingerprints/cropHash.ts';
import { cropPairCollector, searchWindows } from '../../checks/cropSearch.ts';
import { buildCropIndex } from '../../checks/cropSearch.ts';
import { windowColumns } from '../../checks/cropSearchPool.ts';
import {
  CROP_SEARCH_DISTANCE,
  CROP_WEAK_BITS,
  NEAR_DUPLICATE_DISTANCE,
} from '../../checks/duplicateConfig.ts';
import { candidatePairs, clusterDuplicates, type DedupColumns } from '../../checks/duplicates.ts';
import { verifyCrops } from '../../checks/verifyCrops.ts';
import { UnionFind } from '../../checks/unionFind.ts';
import { verifyPairs } from '../../checks/verifyPairs.ts';
import { writeImage } from '../../fetch/imageStore.ts';
import { mapPool } from '../../fetch/pool.ts';
import { processImage } from '../../fetch/process.ts';
import {
  defaultCacheDir,
  ensureDebianPackages,
  listSourcePhotos,
  type PhotoSet,
  type SourcePhoto,
} from './debianPhotos.ts';
import { cachedVariants, type VariantKind } from './realVariants.ts';

/** A source whose every channel varies less than this (0–255) is a flat picture, left out. */
const MIN_STDEV = 4;

/** One photo of the evaluation: a source's original or one of its variants. `group`: the source it shows. */
export type RealPhoto = {
  group: string;
  kind: VariantKind | 'original';
  label: string;
  cropped?: number;
  contentHash: string;
  pixels: number;
};

export type KindScore = { expected: number; found: number; candidates: number; missed: string[] };
export type SetReport = {
  set: PhotoSet;
  sources: number;
  photos: number /** Sources left out: flat once their transparency is flattened. */;
  blank: string[];
  byKind: Partial<Record<VariantKind, KindScore>>;
  /** Photos joined to a cluster, and those whose cluster holds another source's photos. */
  clustered: number;
  wrong: number;
  precision: number;
  wrongPairs: string[];
};

type Processed = {
  blank: string[];
  photos: RealPhoto[];
  cols: DedupColumns;
  cropFull: { hi: Uint32Array; lo: Uint32Array };
  windows: bigint[][];
};

/** `perPackage`: stop a package after that many usable sources. */
async function processAll(
  sources: SourcePhoto[],
  cacheDir: string,
  dataDir: string,
  perPackage?: number,
  onProgress?: (done: number, total: number) => void,
): Promise<Processed> {
  const used = new Map<string, number>();
  const photos: RealPhoto[] = [];
  const hashes: { hi: number; lo: number; full: { hi: number; lo: number }; windows: bigint[] }[] = [];
  const blank: string[] = [];
  let done = 0;
  // Sources one by one (each master is up to 12 MB of pixels); a source's variants are processed two at a time.
  for (const src of sources) {
    if (perPackage && (used.get(src.pkg) ?? 0) >= perPackage) continue;
    const variants = await cachedVariants(src, cacheDir);
    if (variants[0]?.kind !== 'exact')
      throw new Error(`${src.name}: the first variant must be the exact copy`);
    // Some packages ship transparent overlays (mate's Arc-Colors, Silk, Spring, …) meant to lie over a desktop
    // colour: flattened they are one flat colour, identical to each other, so they are no photographs to test on.
    const { channels } = await sharp(variants[0].bytes).stats();
    if (Math.max(...channels.map((c) => c.stdev)) < MIN_STDEV) {
      blank.push(src.name);
      onProgress?.(++done, sources.length);
      continue;
    }
    const results = await mapPool(variants, 2, async (v) => {
      const p = await processImage(v.bytes, { clip: false });
      if (!p.ok) throw new Error(`${src.name} ${v.label}: ${p.message}`);
      const contentHash = createHash('sha256').update(v.bytes).digest('hex');
      await writeImage('thumbs', contentHash, p.thumbnail, dataDir);
      return { v, p, contentHash };
    });
    // The exact copy's bytes are the original's: the original is uploaded once, then again as the copy.
    for (const { v, p, contentHash } of [
      { ...results[0], v: { ...results[0].v, kind: 'original' as const, label: 'original' } },
      ...results,
    ]) {
      photos.push({
        group: `${src.pkg}/${src.name}`,
        kind: v.kind,
        label: v.label,
        cropped: v.cropped,
        contentHash,
        pixels: p.width * p.height,
      });
      hashes.push({ ...p.phash, full: p.crop.full, windows: encodeCropHashes(p.crop) });
    }
    used.set(src.pkg, (used.get(src.pkg) ?? 0) + 1);
    onProgress?.(++done, sources.length);
  }
  const n = photos.length;
  const cols: DedupColumns = {
    count: n,
    ids: photos.map((_, i) => `r${i}`),
    hi: Uint32Array.from(hashes, (h) => h.hi),
    lo: Uint32Array.from(hashes, (h) => h.lo),
    // The original is uploaded first, so it stays canonical among equal sizes.
    pixels: Float64Array.from(photos, (p) => p.pixels),
    uploaded: Float64Array.from(photos, (_, i) => i),
    content: Uint32Array.from(
      photos.flatMap((p) => [
        parseInt(p.contentHash.slice(0, 8), 16) >>> 0,
        parseInt(p.contentHash.slice(8, 16), 16) >>> 0,
      ]),
    ),
  };
  return {
    blank,
    photos,
    cols,
    cropFull: {
      hi: Uint32Array.from(hashes, (h) => h.full.hi),
      lo: Uint32Array.from(hashes, (h) => h.full.lo),
    },
    windows: hashes.map((h) => h.windows),
  };
}

/** The duplicate step's pipeline (duplicatesStep.ts) on in-memory columns: candidates, crop search, verification, clusters. */
async function detect(d: Processed, dataDir: string) {
  const { cols } = d;
  const candidates = candidatePairs(cols, NEAR_DUPLICATE_DISTANCE);
  const index = buildCropIndex({ ...d.cropFull, count: cols.count });
  const decoded = d.windows.map((w) => decodeCropHashes(w)!);
  const k = decoded[0].windows.length;
  const w = windowColumns(cols.count * k);
  decoded.forEach((c, owner) => {
    c.windows.forEach((h, win) => {
      const q = w.count++;
      w.hi[q] = h.hi;
      w.lo[q] = h.lo;
      w.weakHi[q] = h.weak.hi;
      w.weakLo[q] = h.weak.lo;
      w.owner[q] = owner;
      w.window[q] = win;
    });
  });
  const collect = cropPairCollector();
  searchWindows(index, w, { radius: CROP_SEARCH_DISTANCE, weakBits: CROP_WEAK_BITS }, collect.sink);
  const cropCandidates = collect.pairs();
  const hashOf = (i: number) => d.photos[i]?.contentHash;
  const near = await verifyPairs(candidates, hashOf, { dataDir });
  const joined = new UnionFind(cols.count);
  for (const [i, j] of near.kept) joined.union(i, j);
  const crops = await verifyCrops(cropCandidates, hashOf, { dataDir, joined });
  const { clusters } = clusterDuplicates(cols, {
    pairs: [
      ...near.kept,
      ...crops.kept.map(({ pair: [i, j, dist] }): [number, number, number] => [i, j, dist]),
    ],
  });
  return { clusters, candidates: [...candidates, ...cropCandidates] };
}

function score(
  set: PhotoSet,
  sources: number,
  d: Processed,
  r: Awaited<ReturnType<typeof detect>>,
): SetReport {
  const { photos } = d;
  const clusterOf = new Int32Array(photos.length).fill(-1);
  r.clusters.forEach((c, k) => {
    clusterOf[c.canonical] = k;
    for (const m of c.members) clusterOf[m.index] = k;
  });
  const originalOf = new Map<string, number>();
  photos.forEach((p, i) => {
    if (p.kind === 'original') originalOf.set(p.group, i);
  });
  const candidate = new Set(r.candidates.map(([i, j]) => `${Math.min(i, j)}:${Math.max(i, j)}`));
  const byKind: SetReport['byKind'] = {};
  photos.forEach((p, i) => {
    if (p.kind === 'original') return;
    const o = originalOf.get(p.group)!;
    const s = (byKind[p.kind] ??= { expected: 0, found: 0, candidates: 0, missed: [] });
    s.expected++;
    if (candidate.has(`${Math.min(i, o)}:${Math.max(i, o)}`) || p.kind === 'exact') s.candidates++;
    if (clusterOf[i] >= 0 && clusterOf[i] === clusterOf[o]) s.found++;
    else s.missed.push(`${p.group} ${p.label}`);
  });
  // Precision: a clustered photo is wrong when its canonical shows another source.
  let clustered = 0;
  let wrong = 0;
  const wrongPairs: string[] = [];
  for (const c of r.clusters) {
    for (const m of c.members) {
      clustered++;
      if (photos[m.index].group !== photos[c.canonical].group) {
        wrong++;
        wrongPairs.push(
          `${photos[m.index].group} ${photos[m.index].label} ~ ${photos[c.canonical].group} ${photos[c.canonical].label}`,
        );
      }
    }
  }
  return {
    set,
    sources: sources - d.blank.length,
    blank: d.blank,
    photos: photos.length,
    byKind,
    clustered,
    wrong,
    precision: clustered ? (clustered - wrong) / clustered : 1,
    wrongPairs,
  };
}

export type RealOptions = {
  cacheDir?: string;
  sets?: PhotoSet[] /** At most this many sources per package (spread over the package). */;
  perPackage?: number;
  onProgress?: (set: PhotoSet, done: number, total: number) => void;
};

/** Extracts the Debian packages (cached), builds the variants and scores detection on each set separately. */
export async function evaluateRealSet(opts: RealOptions = {}): Promise<SetReport[]> {
  const cacheDir = opts.cacheDir ?? defaultCacheDir();
  await ensureDebianPackages(cacheDir);
  const all = await listSourcePhotos(cacheDir);
  const reports: SetReport[] = [];
  for (const set of opts.sets ?? (['tuning', 'confirmation'] as const)) {
    let sources = all.filter((s) => s.set === set);
    if (opts.perPackage) {
      // Spread over each package; the rest follow in order to stand in for sources found flat (processAll).
      const n = opts.perPackage;
      sources = [...new Set(sources.map((s) => s.pkg))].flatMap((pkg) => {
        const mine = sources.filter((s) => s.pkg === pkg);
        const first =
          mine.length <= n
            ? mine
            : Array.from({ length: n }, (_, i) => mine[Math.floor((i * mine.length) / n)]);
        return [...first, ...mine.filter((s) => !first.includes(s))];
      });
    }
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'quarry-real-'));
    try {
      const d = await processAll(sources, cacheDir, dataDir, opts.perPackage, (done, total) =>
        opts.onProgress?.(set, done, total),
      );
      reports.push(
        score(
          set,
          [...new Set(d.photos.map((p) => p.group))].length + d.blank.length,
          d,
          await detect(d, dataDir),
        ),
      );
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }
  return reports;
}

export const TARGET_KINDS: readonly VariantKind[] = ['exact', 'resize', 'reencode', 'crop_side', 'aspect'];

export function formatRealReport(reports: SetReport[], verbose = false): string {
  const pct = (x: number) => `${(100 * x).toFixed(1)}%`;
  const lines: string[] = [];
  for (const r of reports) {
    lines.push(
      `${r.set} set: ${r.sources} source photos, ${r.photos} photos${r.blank.length ? ` (left out, flat once flattened: ${r.blank.join(', ')})` : ''}`,
    );
    lines.push('  kind          found/expected  recall   (candidate pair before verification)');
    for (const [kind, s] of Object.entries(r.byKind)) {
      lines.push(
        `  ${kind.padEnd(13)} ${`${s.found}/${s.expected}`.padStart(14)}  ${pct(s.expected ? s.found / s.expected : 1).padStart(6)}   ${s.candidates}/${s.expected}${TARGET_KINDS.includes(kind as VariantKind) ? '' : '  (not in the target)'}`,
      );
      if (verbose) for (const m of s.missed) lines.push(`    missed ${m}`);
    }
    lines.push(
      `  precision ${pct(r.precision)} (${r.clustered - r.wrong}/${r.clustered} clustered photos beside a copy of their own source)`,
    );
    for (const w of r.wrongPairs) lines.push(`    wrong ${w}`);
  }
  return lines.join('\n');
}

/** The targets each set must meet, as the list of those it misses (empty: all met). */
export function meetsTargets(r: SetReport): string[] {
  const out: string[] = [];
  const recall = (k: VariantKind) => {
    const s = r.byKind[k];
    return s && s.expected ? s.found / s.expected : 1;
  };
  for (const k of ['exact', 'resize', 'reencode'] as const)
    if (recall(k) < 1) out.push(`${r.set} ${k} recall ${recall(k).toFixed(3)} < 1`);
  for (const k of ['crop_side', 'aspect'] as const)
    if (recall(k) < 0.95) out.push(`${r.set} ${k} recall ${recall(k).toFixed(3)} < 0.95`);
  if (r.precision < 0.99) out.push(`${r.set} precision ${r.precision.toFixed(3)} < 0.99`);
  return out;
}
