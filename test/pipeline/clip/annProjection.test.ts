// The ANN index over projected embeddings (their top principal directions): the same pairs as the exact search, the
// projection saved with the index and reused after a restart and for incremental adds, refitted on a model change.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { annFiles, readAnnMeta, syncAnnIndex } from '../../../pipeline/clip/annIndex.ts';
import { pairsThroughCells } from '../../../pipeline/clip/annPairs.ts';
import { loadEmbeddingStore, pairsAboveThreshold } from '../../../pipeline/clip/nearDuplicates.ts';
import { findSimilarPhotos } from '../../../pipeline/clip/similarPhotos.ts';
import { similarPhotos } from '../../../pipeline/clip/similarity.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { embeddingWriter, gaussian, unit } from '../../helpers/embeddings.ts';

useTestDatabase();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quarry-ann-proj-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const MODEL = 'real-clip@proj1';
const DIM = 64;
const THRESHOLD = 0.95;
/** The pipeline projects 512-d embeddings to ANN_DIMS from 8,192 of them; the same at a test's scale. */
const PROJECTION = { dims: 24, minSample: 200, rebuildAt: 800 };

/**
 * Photos shaped like CLIP's: a shared mean direction, topics spanning a few directions, a little noise in all, and
 * planted groups of near-copies (cosine ~0.96–0.99 to their original).
 */
function universe(count: number, seed: number): number[][] {
  const g = gaussian(seed);
  const mean = Array.from({ length: DIM }, g);
  const topics = Array.from({ length: 10 }, () => Array.from({ length: DIM }, (_, i) => 0.8 * mean[i] + g()));
  const out: number[][] = [];
  while (out.length < count) {
    const t = topics[Math.floor(Math.abs(g()) * 3) % 10];
    const base = unit(t.map((x) => x + 0.5 * g()));
    out.push(base);
    if (out.length % 7 === 0)
      for (let c = 0; c < 1 + (out.length % 3) && out.length < count; c++)
        out.push(unit(base.map((x) => x + (0.02 + 0.01 * c) * g())));
  }
  return out;
}

const addEmbeddings = embeddingWriter('proj@N01', 8_000_000_000, MODEL);
const pairKey = (p: { a: string; b: string }) => (p.a < p.b ? `${p.a}:${p.b}` : `${p.b}:${p.a}`);
const pca = (dir: string) => fs.readdirSync(annFiles(dir).dir).filter((f) => f.startsWith('clip.pca-'));

async function expectExactPairs(model: string, dir: string) {
  const { index, keys, projection } = await syncAnnIndex(model, dir, { projection: PROJECTION });
  const exact = await pairsAboveThreshold(await loadEmbeddingStore(model), THRESHOLD);
  const ann = await pairsThroughCells(index, projection, keys, model, THRESHOLD);
  expect(exact.length).toBeGreaterThan(50);
  expect(new Set(ann.map(pairKey))).toEqual(new Set(exact.map(pairKey)));
}

beforeAll(async () => {
  await db().account.create({ data: { nsid: 'proj@N01', username: 'proj' } });
});

describe('ANN index over projected embeddings', () => {
  it('indexes a small collection as it is, and rebuilds it projected once it has grown', async () => {
    await addEmbeddings(universe(120, 3));
    const small = await syncAnnIndex(MODEL, tmp, { projection: PROJECTION });
    expect(small).toMatchObject({ rebuilt: true, added: 120 });
    expect(readAnnMeta(tmp)).toMatchObject({ dims: DIM, indexDims: DIM, projection: null });
    expect(small.projection).toBeNull();
    expect(small.index.dims).toBe(DIM);

    await addEmbeddings(universe(900, 4));
    // At rebuildAt once the new photos are in: the same sync builds the index again, projected. The pairs found so far
    // stay valid (they are exact cosines), so builtAt, which starts the pair pass over, stays.
    const grown = await syncAnnIndex(MODEL, tmp, { projection: PROJECTION });
    expect(grown).toMatchObject({ rebuilt: false, added: 1020, refitted: true });
    expect(grown.meta.builtAt).toBe(small.meta.builtAt);
    expect(grown.projection?.dims).toBe(24);
    expect(grown.index.dims).toBe(24);
    expect(grown.index.size()).toBe(1020);
    expect(readAnnMeta(tmp)).toMatchObject({ dims: DIM, indexDims: 24, size: 1020, fittedSize: 1020 });
    expect(pca(tmp)).toEqual([readAnnMeta(tmp)?.projection]);
    await expectExactPairs(MODEL, tmp);
  });

  it('answers "similar photos" through the projected index with the exact top 12 and exact cosines', async () => {
    const [{ photoId }] = await db().photoEmbedding.findMany({ where: { model: MODEL }, take: 1, skip: 500 });
    const viaIndex = await findSimilarPhotos(photoId, 12, tmp);
    const exact = await similarPhotos(photoId, 12);
    expect(viaIndex.source).toBe('index');
    expect(viaIndex.neighbours.map((n) => n.photoId)).toEqual(exact.map((n) => n.photoId));
    // The cosines shown are the stored embeddings' own (rounded to 4 places), not the projection's.
    for (const [i, n] of viaIndex.neighbours.entries())
      expect(n.similarity).toBeCloseTo(exact[i].similarity, 4);
  });

  it('keeps the projection across a restart and projects the photos added since with it', async () => {
    const file = readAnnMeta(tmp)?.projection;
    const bytes = fs.readFileSync(path.join(annFiles(tmp).dir, file!));
    const restarted = await syncAnnIndex(MODEL, tmp, { projection: PROJECTION });
    expect(restarted).toMatchObject({ added: 0, rebuilt: false, refitted: false });
    expect(restarted.projection?.dims).toBe(24);

    const base = universe(1, 99)[0];
    const ids = await addEmbeddings([
      base,
      unit(base.map((x, i) => x + (i < 2 ? 0.04 : 0))),
      ...universe(30, 7),
    ]);
    const sync = await syncAnnIndex(MODEL, tmp, { projection: PROJECTION });
    expect(sync).toMatchObject({ added: 32, rebuilt: false });
    expect(readAnnMeta(tmp)?.projection).toBe(file);
    expect(fs.readFileSync(path.join(annFiles(tmp).dir, file!)).equals(bytes)).toBe(true);
    const pairs = await pairsThroughCells(sync.index, sync.projection, sync.keys, MODEL, THRESHOLD);
    expect(pairs.map(pairKey)).toContain(pairKey({ a: ids[0], b: ids[1] }));
    await expectExactPairs(MODEL, tmp);
  });

  it('fits a new projection when the model changes, and deletes the old one', async () => {
    const NEW = 'real-clip@proj2';
    const old = readAnnMeta(tmp)?.projection;
    await addEmbeddings(universe(400, 21), NEW);
    const sync = await syncAnnIndex(NEW, tmp, { projection: PROJECTION });
    expect(sync).toMatchObject({ rebuilt: true, added: 400 });
    const meta = readAnnMeta(tmp);
    expect(meta).toMatchObject({ modelKey: NEW, indexDims: 24 });
    expect(meta?.projection).not.toBe(old);
    expect(pca(tmp)).toEqual([meta?.projection]);
    await expectExactPairs(NEW, tmp);
  });
});
