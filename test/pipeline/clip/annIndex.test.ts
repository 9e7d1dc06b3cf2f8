// The ANN index of CLIP embeddings (an index of cells): the same near-duplicate pairs as the exact search, kept on disk
// across restarts, updated with new embeddings only, its cells fitted again once it has doubled, rebuilt when the model
// or the embeddings' dimension changes or its file is damaged.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { db } from '../../../lib/db.ts';
import { databaseIdentity, saveClipResults } from '../../../lib/queries/clip.ts';
import {
  type AnnSync,
  annFiles,
  REFIT_GROWTH,
  readAnnMeta,
  syncAnnIndex,
  toIndexRows,
} from '../../../pipeline/clip/annIndex.ts';
import { dot, pairsThroughCells } from '../../../pipeline/clip/annPairs.ts';
import { searchSaved, viewSavedAnnIndex } from '../../../pipeline/clip/annSaved.ts';
import { CellIndexView, queryProbes } from '../../../pipeline/clip/cellIndex.ts';
import { decodeFloat16, encodeFloat16 } from '../../../pipeline/clip/float16.ts';
import {
  findClipNearDuplicates,
  loadEmbeddingStore,
  pairsAboveThreshold,
} from '../../../pipeline/clip/nearDuplicates.ts';
import { findSimilarPhotos } from '../../../pipeline/clip/similarPhotos.ts';
import { similarPhotos } from '../../../pipeline/clip/similarity.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { embeddingWriter, gaussian, unit } from '../../helpers/embeddings.ts';

useTestDatabase();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quarry-ann-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const MODEL = 'real-clip@aaaa';
const DIM = 48;
const THRESHOLD = 0.95;

/**
 * Photos spread over 12 topics (clusters of varied size and spread, as photos of one subject are), with planted
 * groups of 2–5 near-copies (a small jitter of one photo): the pairs the exact search must find.
 */
function universe(count: number, seed: number, dims = DIM): number[][] {
  const g = gaussian(seed);
  const topics = Array.from({ length: 12 }, () => Array.from({ length: dims }, g));
  const out: number[][] = [];
  while (out.length < count) {
    const t = topics[out.length % 7 === 0 ? 0 : Math.floor(Math.abs(g()) * 4) % 12];
    const spread = 0.6 + (out.length % 5) * 0.1;
    const base = unit(t.map((x) => x + spread * g()));
    out.push(base);
    if (out.length % 9 === 0)
      for (let c = 0; c < 1 + (out.length % 4) && out.length < count; c++)
        out.push(unit(base.map((x) => x + 0.03 * g())));
  }
  return out;
}

const addEmbeddings = embeddingWriter('ann@N01', 5_000_000_000, MODEL);

const pairKey = (p: { a: string; b: string }) => (p.a < p.b ? `${p.a}:${p.b}` : `${p.b}:${p.a}`);

/** Connected components of a pair list, each as a sorted id list, sorted: the duplicate clusters the pairs make. */
function clusters(pairs: { a: string; b: string }[]): string[][] {
  const parent = new Map<string, string>();
  const find = (x: string): string => {
    if (!parent.has(x)) parent.set(x, x);
    while (parent.get(x) !== x) x = parent.get(x)!;
    return x;
  };
  for (const p of pairs) parent.set(find(p.a), find(p.b));
  const groups = new Map<string, string[]>();
  for (const x of parent.keys()) groups.set(find(x), [...(groups.get(find(x)) ?? []), x]);
  return [...groups.values()].map((g) => g.sort()).sort((a, b) => a[0].localeCompare(b[0]));
}

/** The pairs the index's own pass (pairsThroughCells, every photo against its nearest cells) finds. */
async function cellPairs(sync: AnnSync, model: string): Promise<Set<string>> {
  return new Set(
    (await pairsThroughCells(sync.index, sync.projection, sync.keys, model, THRESHOLD)).map(pairKey),
  );
}

async function exactPairs(model: string): Promise<Set<string>> {
  return new Set((await pairsAboveThreshold(await loadEmbeddingStore(model), THRESHOLD)).map(pairKey));
}

/** A near-copy of a stored photo (cosine ~0.99 to it). */
async function nearCopyOf(photoId: string, seed: number): Promise<number[]> {
  const g = gaussian(seed);
  const stored = await db().photoEmbedding.findUniqueOrThrow({ where: { photoId } });
  return unit([...decodeFloat16(stored.vector)].map((x) => x + 0.02 * g()));
}

beforeAll(async () => {
  await db().account.create({ data: { nsid: 'ann@N01', username: 'ann' } });
});

describe('ANN index of CLIP embeddings', () => {
  it('finds the same near-duplicate pairs and clusters as the exact search', async () => {
    await addEmbeddings(universe(1500, 7));
    const exact = await pairsAboveThreshold(await loadEmbeddingStore(MODEL), THRESHOLD);
    const ann = await findClipNearDuplicates(THRESHOLD, { modelKey: MODEL, dataDir: tmp });
    expect(exact.length).toBeGreaterThan(150);
    expect(new Set(ann.map(pairKey))).toEqual(new Set(exact.map(pairKey)));
    expect(clusters(ann)).toEqual(clusters(exact));
    // Every pair carries its exact cosine, at or above the threshold.
    const bySimilarity = new Map(exact.map((p) => [pairKey(p), p.similarity]));
    for (const p of ann) {
      expect(p.similarity).toBeGreaterThanOrEqual(THRESHOLD);
      expect(p.similarity).toBeCloseTo(bySimilarity.get(pairKey(p))!, 5);
    }
    expect(readAnnMeta(tmp)).toMatchObject({
      format: 3,
      modelKey: MODEL,
      dims: DIM,
      size: 1500,
      fittedSize: 1500,
    });
  });

  it('answers "similar photos" from the saved index with the exact scan’s top 12 and cosines', async () => {
    const [{ photoId }] = await db().photoEmbedding.findMany({ where: { model: MODEL }, take: 1, skip: 300 });
    const viaIndex = await findSimilarPhotos(photoId, 12, tmp);
    const exact = await similarPhotos(photoId, 12);
    expect(viaIndex.source).toBe('index');
    // A small index is searched whole (queryProbes), and the candidates re-ranked by exact cosines: the exact answer.
    expect(viaIndex.neighbours.map((n) => n.photoId)).toEqual(exact.map((n) => n.photoId));
    for (const [i, n] of viaIndex.neighbours.entries())
      expect(n.similarity).toBeCloseTo(exact[i].similarity, 4);
    for (const n of viaIndex.neighbours) expect(n.ownerNsid).toBe('ann@N01');
    // Without a saved index (before the first clip run) the same answer comes from the exact scan.
    const empty = fs.mkdtempSync(path.join(tmp, 'none-'));
    expect((await findSimilarPhotos(photoId, 12, empty)).source).toBe('exact');
  });

  it('searches a small saved index whole: each photo’s exact nearest neighbours, with their cosines', async () => {
    const saved = viewSavedAnnIndex(tmp)!;
    expect(saved.meta).toMatchObject({ modelKey: MODEL, size: 1500 });
    expect(saved.index.size()).toBe(1500);
    expect(queryProbes(saved.index)).toBe(saved.index.cells);
    const store = await loadEmbeddingStore(MODEL);
    const vectors = store.halves.map((h) => decodeFloat16(h));
    const K = 12;
    /** The int8 rows' rounding of a cosine, at most (0.0086 on the ann bench's 512-d vectors). */
    const ROUNDING = 0.01;
    for (const q of [0, 150, 300, 777, 1234, 1499]) {
      const cosines = new Map(store.ids.map((id, i) => [id, dot(vectors[q], vectors[i])]));
      const exact = [...cosines].sort((a, b) => b[1] - a[1]).slice(0, K);
      const m = await searchSaved(saved, vectors[q], 1, K);
      expect(m.counts[0]).toBe(K);
      const found = [...m.keys.subarray(0, K)].map((key) => saved.keys.idOf(key)!);
      // The photo itself first, then the exact scan's neighbours: ranked by the int8 cosine, which is the exact one
      // within its rounding (ROUNDING), so only a photo that close to the 12th's cosine can stand in for it, and each
      // rank holds a photo as close as the exact scan's.
      expect(found[0]).toBe(store.ids[q]);
      for (const [id, cosine] of exact)
        if (cosine > exact[K - 1][1] + 2 * ROUNDING) expect(found).toContain(id);
      for (let i = 0; i < K; i++) {
        expect(Math.abs(m.similarities[i] - cosines.get(found[i])!)).toBeLessThan(ROUNDING);
        expect(Math.abs(cosines.get(found[i])! - exact[i][1])).toBeLessThan(2 * ROUNDING);
      }
    }
  });

  it('survives a restart: a new process loads the saved index, adds nothing and answers as the one that built it', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'restart-'));
    const built = await syncAnnIndex(MODEL, dir);
    expect(built).toMatchObject({ rebuilt: true, refitted: true, added: 1500 });
    // Queries through a few cells only, so the restarted index must have its rows filed in the same cells.
    const store = await loadEmbeddingStore(MODEL);
    const sample = [0, 99, 500, 1001, 1400];
    const block = new Float32Array(sample.length * DIM);
    for (const [i, q] of sample.entries()) decodeFloat16(store.halves[q], block, i * DIM);
    const queries = await toIndexRows(built.projection, block, sample.length);
    const before = built.index.search(queries.data, sample.length, 10, 2);

    // A new sync is what a restarted worker does: it loads the saved file instead of rebuilding.
    const again = await syncAnnIndex(MODEL, dir);
    expect(again).toMatchObject({ added: 0, rebuilt: false, refitted: false });
    expect(again.index).not.toBe(built.index);
    expect(again.index.size()).toBe(1500);
    const kept = ['format', 'dims', 'cells', 'fittedSize', 'size', 'builtAt', 'fittedAt'] as const;
    for (const k of kept) expect(again.meta[k]).toEqual(built.meta[k]);
    expect(again.index.centroids).toEqual(built.index.centroids);
    const after = again.index.search(queries.data, sample.length, 10, 2);
    expect(after.keys).toEqual(before.keys);
    expect(after.similarities).toEqual(before.similarities);
    expect(await cellPairs(again, MODEL)).toEqual(await exactPairs(MODEL));
  });

  it('writes the index file again only when it changed (2.5 GB at 10M photos), though every sync records what it covers', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'unchanged-'));
    const built = await syncAnnIndex(MODEL, dir);
    const file = annFiles(dir).index;
    const written = fs.statSync(file);
    const again = await syncAnnIndex(MODEL, dir);
    expect(again).toMatchObject({ added: 0, rebuilt: false, refitted: false });
    // The meta moves on: every embedding computed before this sync began is in the index.
    expect(readAnnMeta(dir)!.covers > built.meta.covers).toBe(true);
    const now = fs.statSync(file);
    expect({ ino: now.ino, mtimeMs: now.mtimeMs }).toEqual({ ino: written.ino, mtimeMs: written.mtimeMs });
  });

  it('keeps photos whose ids are not Flickr numbers (imports) across a restart, by their saved key map', async () => {
    const model = 'real-clip@ids';
    const dir = fs.mkdtempSync(path.join(tmp, 'ids-'));
    const vectors = universe(150, 61);
    const ids = vectors.map((_, i) => `wm-${(i * 7919).toString(36)}-x`);
    await db().photo.createMany({
      data: ids.map((id) => ({
        id,
        ownerNsid: 'ann@N01',
        secret: 's',
        server: '1',
        license: 9,
        dateUpload: new Date('2020-01-01'),
      })),
    });
    await db().photoEmbedding.createMany({
      data: ids.map((photoId, i) => ({ photoId, model, vector: new Uint8Array(encodeFloat16(vectors[i])) })),
    });
    const built = await syncAnnIndex(model, dir);
    expect(built.index.size()).toBe(150);
    expect(fs.existsSync(annFiles(dir).keys)).toBe(true);

    const restarted = await syncAnnIndex(model, dir);
    expect(restarted).toMatchObject({ added: 0, rebuilt: false, skippedIds: 0 });
    const exact = await exactPairs(model);
    expect(exact.size).toBeGreaterThan(10);
    expect(await cellPairs(restarted, model)).toEqual(exact);
    const [a, b] = [...exact][0].split(':');
    const similar = await findSimilarPhotos(a, 3, dir);
    expect(similar.source).toBe('index');
    expect(similar.neighbours.map((n) => n.photoId)).toContain(b);
  });

  it('files the photos embedded since under its cells, without a rebuild, and finds their pairs', async () => {
    const before = readAnnMeta(tmp)!;
    const base = universe(1, 99)[0];
    const [old] = await db().photoEmbedding.findMany({ where: { model: MODEL }, take: 1, skip: 42 });
    const ids = await addEmbeddings([
      base,
      unit(base.map((x, i) => x + (i === 0 ? 0.05 : 0))),
      // A near-copy of a photo indexed before: the new photo meets it in its cells.
      await nearCopyOf(old.photoId, 5),
      ...universe(18, 123),
    ]);
    const sync = await syncAnnIndex(MODEL, tmp);
    expect(sync).toMatchObject({ added: 21, rebuilt: false, refitted: false });
    expect(sync.index.size()).toBe(1521);
    expect(sync.meta).toMatchObject({
      size: 1521,
      builtAt: before.builtAt,
      fittedAt: before.fittedAt,
      cells: before.cells,
      fittedSize: 1500,
    });
    expect(readAnnMeta(tmp)).toMatchObject({ size: 1521, builtAt: before.builtAt });
    const pairs = (await findClipNearDuplicates(THRESHOLD, { modelKey: MODEL, dataDir: tmp })).map(pairKey);
    expect(pairs).toContain(pairKey({ a: ids[0], b: ids[1] }));
    expect(pairs).toContain(pairKey({ a: ids[2], b: old.photoId }));
    expect(new Set(pairs)).toEqual(await exactPairs(MODEL));
  });

  it('rebuilds a damaged index file from the database, with a warning, instead of failing', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'damaged-'));
    const first = await syncAnnIndex(MODEL, dir);
    const file = annFiles(dir).index;
    // A disk filled mid-copy by another tool: half the file.
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 2));
    // The web app's reader falls back to the exact scan meanwhile.
    expect(viewSavedAnnIndex(dir)).toBeNull();
    const [{ photoId }] = await db().photoEmbedding.findMany({ where: { model: MODEL }, take: 1, skip: 7 });
    expect((await findSimilarPhotos(photoId, 5, dir)).source).toBe('exact');

    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    let sync: AnnSync;
    try {
      sync = await syncAnnIndex(MODEL, dir);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toMatch(/^ANN index under .* unreadable, rebuilding: .*truncated/);
    } finally {
      warn.mockRestore();
    }
    expect(sync).toMatchObject({ rebuilt: true, added: first.index.size() });
    expect(sync.meta.builtAt > first.meta.builtAt).toBe(true);
    const view = CellIndexView.open(file);
    expect(view.size()).toBe(first.index.size());
    view.close();
    expect(await cellPairs(sync, MODEL)).toEqual(await exactPairs(MODEL));
    expect(await syncAnnIndex(MODEL, dir)).toMatchObject({ added: 0, rebuilt: false });
    expect((await findSimilarPhotos(photoId, 5, dir)).source).toBe('index');
  });

  it('replaces the HNSW graph an earlier version saved (format 2) with an index of cells, deleting its files', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'upgrade-'));
    const f = annFiles(dir);
    fs.mkdirSync(f.dir, { recursive: true });
    // What the usearch version left under DATA_DIR/ann: its meta (same model and database), graph, keys, projection.
    const graph = path.join(f.dir, 'clip.usearch');
    const pca = path.join(f.dir, 'clip.pca-1700000000000.f32');
    const old = {
      format: 2,
      modelKey: MODEL,
      database: await databaseIdentity(),
      dims: DIM,
      indexDims: DIM,
      projection: 'clip.pca-1700000000000.f32',
      quantization: 'f16',
      connectivity: 16,
      expansionAdd: 128,
      size: 1500,
      builtAt: '2026-12-01T00:00:00.000Z',
      updatedAt: '2026-12-01T00:00:00.000Z',
    };
    fs.writeFileSync(f.meta, JSON.stringify(old));
    fs.writeFileSync(graph, Buffer.alloc(4096, 7));
    fs.writeFileSync(pca, Buffer.alloc(1024, 1));
    fs.writeFileSync(f.keys, '[]');
    // Until the next build, the web app answers "similar photos" by the exact scan rather than misreading the graph.
    expect(viewSavedAnnIndex(dir)).toBeNull();
    const [{ photoId }] = await db().photoEmbedding.findMany({ where: { model: MODEL }, take: 1, skip: 3 });
    expect((await findSimilarPhotos(photoId, 5, dir)).source).toBe('exact');

    const sync = await syncAnnIndex(MODEL, dir);
    const count = await db().photoEmbedding.count({ where: { model: MODEL } });
    expect(sync).toMatchObject({ rebuilt: true, added: count });
    expect(sync.meta).toMatchObject({ format: 3, size: count, projection: null });
    expect(sync.meta.builtAt > old.builtAt).toBe(true);
    expect(fs.existsSync(graph)).toBe(false);
    expect(fs.existsSync(pca)).toBe(false);
    // No keys file: Flickr's numeric ids are their own keys.
    expect(fs.readdirSync(f.dir).sort()).toEqual(['clip.cells', 'clip.json']);
    expect((await findSimilarPhotos(photoId, 5, dir)).source).toBe('index');
  });

  it('rebuilds from scratch when the model changes, keeping no vector of the old model', async () => {
    const NEW = 'real-clip@bbbb';
    const before = readAnnMeta(tmp)!;
    const oldIds = (await db().photoEmbedding.findMany({ where: { model: MODEL }, take: 50 })).map(
      (e) => e.photoId,
    );
    const vectors = universe(40, 5);
    const ids = await addEmbeddings(vectors, NEW);
    const sync = await syncAnnIndex(NEW, tmp);
    expect(sync).toMatchObject({ rebuilt: true, added: 40 });
    expect(sync.index.size()).toBe(40);
    expect(sync.meta.builtAt > before.builtAt).toBe(true);
    expect(sync.index.contains(oldIds.map(BigInt)).some(Boolean)).toBe(false);
    expect(sync.index.contains(ids.map(BigInt)).every(Boolean)).toBe(true);
    expect(readAnnMeta(tmp)).toMatchObject({ modelKey: NEW, size: 40 });
    const exact = await pairsAboveThreshold(await loadEmbeddingStore(NEW), THRESHOLD);
    const ann = await findClipNearDuplicates(THRESHOLD, { modelKey: NEW, dataDir: tmp });
    expect(new Set(ann.map(pairKey))).toEqual(new Set(exact.map(pairKey)));
    for (const p of ann) expect(ids).toContain(p.a);
  });

  it('rebuilds when the model is re-exported under its name with another dimension, midway and at the end', async () => {
    const model = 'real-clip@dims';
    const dir = fs.mkdtempSync(path.join(tmp, 'dims-'));
    const ids = await addEmbeddings(universe(200, 41), model);
    const first = await syncAnnIndex(model, dir);
    expect(first.meta).toMatchObject({ dims: DIM, size: 200 });

    // The clip stage re-embeds with the new export (32 dimensions), the first half so far.
    const NARROW = 32;
    const narrow = universe(200, 43, NARROW);
    const reembed = (from: number, to: number) =>
      saveClipResults(
        [],
        ids.slice(from, to).map((photoId, i) => ({
          photoId,
          vector: Buffer.from(encodeFloat16(narrow[from + i])),
        })),
        model,
        null,
      );
    await reembed(0, 100);
    // Midway: one dimension in the index (the first photo's), the others left out until they are re-embedded too.
    const midway = await syncAnnIndex(model, dir);
    expect(midway).toMatchObject({ rebuilt: true });
    expect(midway.meta).toMatchObject({ dims: NARROW, size: 100 });
    expect(midway.index.dims).toBe(NARROW);
    expect(midway.meta.builtAt > first.meta.builtAt).toBe(true);

    await reembed(100, 200);
    const done = await syncAnnIndex(model, dir);
    expect(done.meta).toMatchObject({ dims: NARROW, size: 200 });
    expect(done.index.contains(ids.map(BigInt)).every(Boolean)).toBe(true);
    const pairs = await cellPairs(done, model);
    expect(pairs.size).toBeGreaterThan(10);
    expect(pairs).toEqual(await exactPairs(model));
  });

  it(`fits its cells again once it holds ${REFIT_GROWTH}× the photos they were fitted on, and still finds every pair`, async () => {
    const model = 'real-clip@refit';
    const dir = fs.mkdtempSync(path.join(tmp, 'refit-'));
    const first = await addEmbeddings(universe(300, 31), model);
    await findClipNearDuplicates(THRESHOLD, { modelKey: model, dataDir: dir });
    const built = readAnnMeta(dir)!;
    expect(built).toMatchObject({ size: 300, fittedSize: 300 });

    // Short of twice the fit: the new photos are filed under the cells as they are.
    await addEmbeddings(universe(200, 32), model);
    const grown = await syncAnnIndex(model, dir);
    expect(grown).toMatchObject({ added: 200, refitted: false, rebuilt: false });
    expect(grown.meta).toMatchObject({ cells: built.cells, fittedSize: 300, fittedAt: built.fittedAt });

    // Twice the fit, with near-copies of photos indexed before the refit among the new ones.
    const copies = await Promise.all(
      first
        .slice(0, 100)
        .filter((_, i) => i % 10 === 3)
        .map((id, i) => nearCopyOf(id, 60 + i)),
    );
    const copyIds = await addEmbeddings([...copies, ...universe(90, 33)], model);
    const refit = await syncAnnIndex(model, dir);
    expect(refit).toMatchObject({ added: 100, refitted: true, rebuilt: false });
    expect(refit.meta.size).toBe(600);
    expect(refit.meta.fittedSize).toBe(600);
    expect(refit.meta.cells).toBeGreaterThan(built.cells);
    expect(refit.index.cells).toBe(refit.meta.cells);
    expect(refit.meta.builtAt).toBe(built.builtAt);
    expect(refit.meta.fittedAt > built.fittedAt).toBe(true);
    const exact = await exactPairs(model);
    expect(await cellPairs(refit, model)).toEqual(exact);
    const pairs = new Set(
      (await findClipNearDuplicates(THRESHOLD, { modelKey: model, dataDir: dir })).map(pairKey),
    );
    expect(pairs).toEqual(exact);
    for (const [i, id] of copyIds.slice(0, copies.length).entries())
      expect(pairs).toContain(pairKey({ a: id, b: first[10 * i + 3] }));

    // The refitted cells are what a restart loads, and photos added afterwards are filed under them.
    const base = universe(1, 77)[0];
    const late = await addEmbeddings([base, unit(base.map((x, i) => x + (i === 3 ? 0.05 : 0)))], model);
    const after = await syncAnnIndex(model, dir);
    expect(after).toMatchObject({ added: 2, refitted: false, rebuilt: false });
    expect(after.meta).toMatchObject({ cells: refit.meta.cells, fittedAt: refit.meta.fittedAt });
    expect(after.index.centroids).toEqual(refit.index.centroids);
    const latePairs = (await findClipNearDuplicates(THRESHOLD, { modelKey: model, dataDir: dir })).map(
      pairKey,
    );
    expect(latePairs).toContain(pairKey({ a: late[0], b: late[1] }));
    expect(new Set(latePairs)).toEqual(await exactPairs(model));
  });

  it('lets one process write the index at a time: a second one waits, then loads what the first saved', async () => {
    const dir = fs.mkdtempSync(path.join(tmp, 'two-workers-'));
    const count = await db().photoEmbedding.count({ where: { model: MODEL } });
    const [one, two] = await Promise.all([syncAnnIndex(MODEL, dir), syncAnnIndex(MODEL, dir)]);
    const results = [one, two]
      .map((r) => ({ added: r.added, rebuilt: r.rebuilt }))
      .sort((a, b) => b.added - a.added);
    expect(results).toEqual([
      { added: count, rebuilt: true },
      { added: 0, rebuilt: false },
    ]);
  });
});
