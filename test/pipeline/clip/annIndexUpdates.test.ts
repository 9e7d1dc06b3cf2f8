// The ANN index follows the embeddings it mirrors: a re-embedded photo's old vector is replaced by its new one, a
// deleted photo's is removed (both reported by the ann_stale triggers), so "similar photos" and the near-duplicate
// pairs answer from the current vectors.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { saveClipResults } from '../../../lib/queries/clip.ts';
import { annFiles, readAnnMeta, syncAnnIndex, toIndexRows } from '../../../pipeline/clip/annIndex.ts';
import { dot } from '../../../pipeline/clip/annPairs.ts';
import { decodeFloat16, encodeFloat16 } from '../../../pipeline/clip/float16.ts';
import { findClipNearDuplicates } from '../../../pipeline/clip/nearDuplicates.ts';
import { findSimilarPhotos } from '../../../pipeline/clip/similarPhotos.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { embeddingWriter, gaussian, unit } from '../../helpers/embeddings.ts';

useTestDatabase();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quarry-ann-upd-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const MODEL = 'real-clip@upd1';
const DIM = 32;
const addEmbeddings = embeddingWriter('upd@N01', 7_000_000_000, MODEL);
const THRESHOLD = 0.95;
const pairKey = (p: { a: string; b: string }) => (p.a < p.b ? `${p.a}:${p.b}` : `${p.b}:${p.a}`);
const stale = async () =>
  Number((await db().$queryRaw<{ n: bigint }[]>`SELECT count(*) AS n FROM quarry_internal.ann_stale`)[0].n);

beforeAll(async () => {
  await db().account.create({ data: { nsid: 'upd@N01', username: 'upd' } });
});

describe('ANN index updates', () => {
  it('replaces a re-embedded photo’s vector and removes a deleted photo’s: similar photos and pairs follow', async () => {
    const g = gaussian(17);
    const random = () => unit(Array.from({ length: DIM }, g));
    const query = random();
    const nearCopy = () => unit(query.map((x) => x + 0.04 * g()));
    // q, a near-copy of it (to be deleted), a photo far from it (to be re-embedded as another near-copy), the rest.
    const [q, gone, moved] = await addEmbeddings([
      query,
      nearCopy(),
      random(),
      ...Array.from({ length: 300 }, random),
    ]);
    const built = await syncAnnIndex(MODEL, tmp);
    expect(built.index.size()).toBe(303);
    expect((await findSimilarPhotos(q, 5, tmp)).neighbours[0].photoId).toBe(gone);
    const pairsBefore = (await findClipNearDuplicates(THRESHOLD, { modelKey: MODEL, dataDir: tmp })).map(
      pairKey,
    );
    expect(pairsBefore).toContain(pairKey({ a: q, b: gone }));
    expect(pairsBefore).not.toContain(pairKey({ a: q, b: moved }));

    await db().photo.delete({ where: { id: gone } });
    const newVector = nearCopy();
    // The CLIP stage's own write (an upsert of the embedding), as a re-run over a replaced image makes it.
    await saveClipResults(
      [],
      [{ photoId: moved, vector: Buffer.from(encodeFloat16(newVector)) }],
      MODEL,
      null,
    );
    expect(await stale()).toBe(2);

    const sync = await syncAnnIndex(MODEL, tmp);
    expect(sync).toMatchObject({ rebuilt: false, added: 1 });
    expect(sync.meta.builtAt).toBe(built.meta.builtAt);
    expect(sync.index.size()).toBe(302);
    expect(sync.index.contains([BigInt(gone), BigInt(moved), BigInt(q)])).toEqual([false, true, true]);
    // The index itself holds the new vector, not the old: a search of every cell for it finds the photo at (quantized)
    // cosine ~1, once.
    const query8 = await toIndexRows(sync.projection, new Float32Array(newVector), 1);
    const hit = sync.index.search(query8.data, 1, 2, sync.index.cells);
    expect(hit.keys[0]).toBe(BigInt(moved));
    expect(hit.similarities[0]).toBeGreaterThan(0.98);
    expect(hit.keys[1]).not.toBe(BigInt(moved));

    const similar = await findSimilarPhotos(q, 5, tmp);
    expect(similar.source).toBe('index');
    expect(similar.neighbours.map((n) => n.photoId)).not.toContain(gone);
    expect(similar.neighbours[0].photoId).toBe(moved);
    const stored = await db().photoEmbedding.findUniqueOrThrow({ where: { photoId: moved } });
    const cosine = dot(decodeFloat16(encodeFloat16(query)), decodeFloat16(stored.vector));
    expect(similar.neighbours[0].similarity).toBeCloseTo(cosine, 3);
    expect(cosine).toBeGreaterThan(0.95);
    // The pair pass follows: the deleted photo's pair is gone, the re-embedded photo's new one found.
    const pairsAfter = (await findClipNearDuplicates(THRESHOLD, { modelKey: MODEL, dataDir: tmp })).map(
      pairKey,
    );
    expect(pairsAfter).toContain(pairKey({ a: q, b: moved }));
    expect(pairsAfter.some((k) => k.split(':').includes(gone))).toBe(false);
    // The changes are applied and saved: nothing is left to apply, and a restarted sync has nothing to do.
    expect(await stale()).toBe(0);
    const restarted = await syncAnnIndex(MODEL, tmp);
    expect(restarted).toMatchObject({ added: 0, rebuilt: false });
    expect(restarted.index.contains([BigInt(gone), BigInt(moved)])).toEqual([false, true]);
  });

  it('keeps the saved index and the pending changes when an update is stopped midway, and applies them next time', async () => {
    const before = readAnnMeta(tmp)!;
    const file = annFiles(tmp).index;
    const bytes = fs.readFileSync(file);
    const g = gaussian(29);
    const [victim] = await db().photoEmbedding.findMany({ where: { model: MODEL }, take: 1, skip: 10 });
    await db().photo.delete({ where: { id: victim.photoId } });
    const fresh = await addEmbeddings(Array.from({ length: 5 }, () => unit(Array.from({ length: DIM }, g))));
    expect(await stale()).toBe(1);

    // A worker shutting down (annBuild.ts's `stopping`) stops the sync at its next page.
    const stop = new AbortController();
    await expect(
      syncAnnIndex(MODEL, tmp, {
        signal: stop.signal,
        onProgress: () => stop.abort(new Error('worker stopping')),
      }),
    ).rejects.toThrow('worker stopping');
    expect(readAnnMeta(tmp)).toEqual(before);
    expect(fs.readFileSync(file).equals(bytes)).toBe(true);
    // The deletion is still to apply: it was not saved.
    expect(await stale()).toBe(1);

    const sync = await syncAnnIndex(MODEL, tmp);
    expect(sync).toMatchObject({ added: 5, rebuilt: false });
    expect(sync.index.size()).toBe(before.size + 5 - 1);
    expect(sync.index.contains([BigInt(victim.photoId), ...fresh.map(BigInt)])).toEqual([
      false,
      ...fresh.map(() => true),
    ]);
    expect(await stale()).toBe(0);
  });
});
