// Near-duplicate pairs kept between runs: a pass searches only the photos embedded since the last one and still ends
// with the exact search's pairs; a model change, a lower threshold or a rebuilt index start over; a killed pass
// resumes without losing or doubling a pair; a deleted or re-embedded photo takes its pairs along.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { dropAnnIndex, syncAnnIndex } from '../../../pipeline/clip/annIndex.ts';
import { searchStats } from '../../../pipeline/clip/annPairs.ts';
import { decodeFloat16, encodeFloat16 } from '../../../pipeline/clip/float16.ts';
import {
  loadEmbeddingStore,
  nearDuplicatePass,
  pairsAboveThreshold,
} from '../../../pipeline/clip/nearDuplicates.ts';
import { updateNearDuplicatePairs } from '../../../pipeline/clip/pairPass.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { embeddingWriter, gaussian, unit } from '../../helpers/embeddings.ts';

useTestDatabase();

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quarry-pairs-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const MODEL = 'real-clip@pair';
const DIM = 40;

/** Photos around 8 topics, every 7th followed by 1–3 near-copies (cosines ~0.93–0.99 to it). */
function universe(count: number, seed: number): number[][] {
  const g = gaussian(seed);
  const topics = Array.from({ length: 8 }, () => Array.from({ length: DIM }, g));
  const out: number[][] = [];
  while (out.length < count) {
    const t = topics[Math.floor(Math.abs(g()) * 3) % 8];
    const base = unit(t.map((x) => x + 0.8 * g()));
    out.push(base);
    if (out.length % 7 === 0)
      for (let c = 0; c < 1 + (out.length % 3) && out.length < count; c++)
        out.push(unit(base.map((x) => x + (0.02 + 0.01 * c) * g())));
  }
  return out;
}

const addEmbeddings = embeddingWriter('pairs@N01', 6_000_000_000, MODEL);

const key = (p: { a: string; b: string }) => (p.a < p.b ? `${p.a}:${p.b}` : `${p.b}:${p.a}`);
const exactPairs = async (threshold: number, model = MODEL) =>
  new Set((await pairsAboveThreshold(await loadEmbeddingStore(model), threshold)).map(key));
const storedRows = async (model = MODEL) =>
  (await db().clipPair.findMany({ where: { model } })).map((p) => key({ a: p.photoA, b: p.photoB }));
const pass = (threshold: number, o: Parameters<typeof nearDuplicatePass>[1] = {}) =>
  nearDuplicatePass(threshold, { modelKey: MODEL, dataDir: tmp, ...o });

let first: string[] = [];

beforeAll(async () => {
  await db().account.create({ data: { nsid: 'pairs@N01', username: 'pairs' } });
  first = await addEmbeddings(universe(600, 11));
});

describe('near-duplicate pairs kept between runs', () => {
  it('compares every photo by cells on the first pass and stores exactly the exact search’s pairs', async () => {
    const rowsBefore = searchStats.rows;
    const r = await pass(0.95);
    expect(r).toMatchObject({ reset: 'first pass', cellPhotos: 600, searched: 0, floor: 0.95 });
    // No index search: the cells compared them all.
    expect(searchStats.rows - rowsBefore).toBe(0);
    expect(await db().clipPairSearched.count({ where: { model: MODEL } })).toBe(600);
    const exact = await exactPairs(0.95);
    expect(exact.size).toBeGreaterThan(60);
    expect(new Set(r!.pairs.map(key))).toEqual(exact);
    // Stored once each, with the exact cosine; counted once each though found from both photos.
    const rows = await storedRows();
    expect(rows.length).toBe(exact.size);
    expect(r!.newPairs + r!.closedPairs).toBe(exact.size);
    expect(new Set(rows)).toEqual(exact);
  });

  it('searches only the photos embedded since, and still ends with the exact search’s pairs', async () => {
    // Near-copies of old photos (pairs only the new photo's search can find) and new photos of their own.
    const old = await db().photoEmbedding.findMany({ where: { photoId: { in: [first[3], first[300]] } } });
    const g = gaussian(5);
    const copies = [first[3], first[300]].map((id) => {
      const v = Array.from(decodeFloat16(old.find((e) => e.photoId === id)!.vector));
      return unit(v.map((x) => x + 0.01 * g()));
    });
    const added = await addEmbeddings([...copies, ...universe(28, 99)]);
    const rowsBefore = searchStats.rows;
    const r = await pass(0.95);
    expect(r).toMatchObject({ reset: null, searched: 30, cellPhotos: 0 });
    // The index was asked for those 30 rows only, not the 630 it holds.
    expect(searchStats.rows - rowsBefore).toBe(30);
    expect(new Set(r!.pairs.map(key))).toEqual(await exactPairs(0.95));
    expect(r!.pairs.map(key)).toContain(key({ a: first[3], b: added[0] }));
    expect(r!.pairs.map(key)).toContain(key({ a: first[300], b: added[1] }));
    // Nothing new: nothing searched, the same pairs.
    const again = await pass(0.95);
    expect(again).toMatchObject({ reset: null, searched: 0, newPairs: 0 });
    expect(again!.pairs.length).toBe(r!.pairs.length);
  });

  it('answers a higher threshold from the stored cosines; a lower one starts over at the new floor', async () => {
    const higher = await pass(0.97);
    expect(higher).toMatchObject({ reset: null, searched: 0, floor: 0.95 });
    expect(new Set(higher!.pairs.map(key))).toEqual(await exactPairs(0.97));
    const lower = await pass(0.93);
    expect(lower).toMatchObject({ reset: 'threshold below the stored floor', cellPhotos: 630, floor: 0.93 });
    expect(new Set(lower!.pairs.map(key))).toEqual(await exactPairs(0.93));
    const back = await pass(0.95);
    expect(back).toMatchObject({ reset: null, searched: 0, floor: 0.93 });
    expect(new Set(back!.pairs.map(key))).toEqual(await exactPairs(0.95));
  });

  it('resumes a killed pass where it stopped, searching no photo twice and storing no pair twice', async () => {
    await addEmbeddings(universe(200, 23));
    const stop = new AbortController();
    let blocks = 0;
    await expect(
      pass(0.93, {
        // 200 new of 830 would go by cells: this one tests the index searches' resume.
        mode: 'index',
        signal: stop.signal,
        blockSize: 32,
        onProgress: (p) => {
          // Photos searched (not the index's sync, which reports embeddings read).
          if (p.unit === undefined && p.searched > 0 && ++blocks === 2)
            stop.abort(new Error('worker killed'));
        },
      }),
    ).rejects.toThrow('worker killed');
    // Two blocks of 32 were stored with their marks before the kill.
    expect(await db().clipPairSearched.count({ where: { model: MODEL, closed: false } })).toBe(64);
    // Killed again after the search, before the groups were completed.
    const late = new AbortController();
    let last = { searched: 0, total: 0 };
    await expect(
      pass(0.93, {
        mode: 'index',
        signal: late.signal,
        blockSize: 32,
        onProgress: (p) => {
          if (p.unit !== undefined) return;
          last = p;
          if (p.total > 0 && p.searched === p.total) late.abort(new Error('killed before closing'));
        },
      }),
    ).rejects.toThrow('killed before closing');
    // The resumed pass searched the 136 the first left, not the 64 it had stored.
    expect(last).toMatchObject({ searched: 136, total: 136 });
    const resumed = await pass(0.93);
    expect(resumed).toMatchObject({ reset: null, searched: 0 });
    expect(await db().clipPairSearched.count({ where: { model: MODEL, closed: false } })).toBe(0);
    const exact = await exactPairs(0.93);
    expect(new Set(resumed!.pairs.map(key))).toEqual(exact);
    const rows = await storedRows();
    expect(rows.length).toBe(exact.size);
  });

  it('resumes a killed pass by cells at the next cell, with the same centroids, storing no pair twice', async () => {
    await addEmbeddings(universe(300, 41));
    const stop = new AbortController();
    await expect(
      pass(0.93, {
        cellBatchRows: 40,
        signal: stop.signal,
        onProgress: (p) => {
          if (p.unit === 'cells' && p.searched >= 3) stop.abort(new Error('worker killed'));
        },
      }),
    ).rejects.toThrow('worker killed');
    const state = await db().clipPairPass.findUniqueOrThrow({ where: { model: MODEL } });
    expect(state.cellsCutoff).not.toBeNull();
    expect(state.cellsDone).toBeGreaterThanOrEqual(3);
    const stored = await storedRows();
    // A photo embedded while the pass was stopped: after the cutoff, so the index searches take it.
    const [late] = await addEmbeddings(universe(1, 43));
    const seen: { unit?: string; searched: number; total: number }[] = [];
    const resumed = await pass(0.93, { onProgress: (p) => seen.push(p) });
    const cells = seen.filter((p) => p.unit === 'cells');
    // Resumed at the cell it stopped at, not at the first one.
    expect(cells[0]).toMatchObject({ searched: state.cellsDone });
    expect(cells.at(-1)!.searched).toBe(cells[0].total);
    // The resumed pass compares the index's rows, the late photo's too (the sync filed it), but marks searched only
    // the photos embedded before its cutoff: the late one is then searched on its own.
    expect(resumed).toMatchObject({ reset: null, cellPhotos: 1131, searched: 1 });
    expect(await db().clipPairSearched.findUnique({ where: { photoId: late } })).not.toBeNull();
    const exact = await exactPairs(0.93);
    expect(new Set(resumed!.pairs.map(key))).toEqual(exact);
    const rows = await storedRows();
    expect(rows.length).toBe(exact.size);
    expect(rows).toEqual(expect.arrayContaining(stored));
    const after = await db().clipPairPass.findUniqueOrThrow({ where: { model: MODEL } });
    expect(after).toMatchObject({ cellsCutoff: null, cells: null, cellsDone: 0 });
  });

  it('drops a deleted photo’s pairs and searches a re-embedded photo again', async () => {
    const rows = await db().clipPair.findMany({ where: { model: MODEL }, take: 2 });
    const gone = rows[0].photoA;
    await db().photo.delete({ where: { id: gone } });
    expect(await db().clipPair.count({ where: { OR: [{ photoA: gone }, { photoB: gone }] } })).toBe(0);
    const moved = rows[1].photoB === gone ? rows[1].photoA : rows[1].photoB;
    const e = await db().photoEmbedding.findUniqueOrThrow({ where: { photoId: moved } });
    const v = Array.from(decodeFloat16(e.vector));
    await db().photoEmbedding.update({
      where: { photoId: moved },
      data: { vector: new Uint8Array(encodeFloat16(unit(v.map((x, i) => (i === 0 ? -x : x))))) },
    });
    expect(await db().clipPair.count({ where: { OR: [{ photoA: moved }, { photoB: moved }] } })).toBe(0);
    expect(await db().clipPairSearched.count({ where: { photoId: moved } })).toBe(0);
    // An unchanged rewrite (the clip stage re-scoring from a stored embedding) keeps them.
    const kept = await db().clipPair.findFirstOrThrow({ where: { model: MODEL } });
    const same = await db().photoEmbedding.findUniqueOrThrow({ where: { photoId: kept.photoA } });
    await db().photoEmbedding.update({ where: { photoId: kept.photoA }, data: { vector: same.vector } });
    expect(await db().clipPair.count({ where: { photoA: kept.photoA, photoB: kept.photoB } })).toBe(1);
    const r = await pass(0.93);
    expect(r).toMatchObject({ searched: 1 });
  });

  it('starts over when the index is rebuilt', async () => {
    dropAnnIndex(tmp);
    const total = await db().photoEmbedding.count({ where: { model: MODEL } });
    const r = await pass(0.93);
    expect(r).toMatchObject({ reset: 'index rebuilt', cellPhotos: total, searched: 0 });
    expect(new Set(r!.pairs.map(key))).toEqual(await exactPairs(0.93));
  });

  it('keeps another model’s pairs apart: a new model gets a first pass of its own', async () => {
    const NEW = 'real-clip@pair2';
    await addEmbeddings(universe(80, 31), NEW);
    const before = await storedRows();
    const r = await nearDuplicatePass(0.95, { modelKey: NEW, dataDir: tmp });
    expect(r).toMatchObject({ reset: 'first pass', cellPhotos: 80 });
    expect(new Set(r!.pairs.map(key))).toEqual(await exactPairs(0.95, NEW));
    // Re-embedding a photo with the new model takes its old model's pairs along; the rest stay stored.
    const paired = before[0].split(':')[0];
    await db().photoEmbedding.update({ where: { photoId: paired }, data: { model: NEW } });
    const after = await storedRows();
    expect(after.some((k) => k.split(':').includes(paired))).toBe(false);
    expect(after.length).toBeGreaterThan(0);
  });

  it('leaves a photo embedded after the index was synced to the next pass, never marking it searched unseen', async () => {
    // The clip stage writes embeddings while a pass runs: one written between the index's sync and the pass by cells
    // is not among the rows the cells compare, so the pass must not mark it searched (its pair would be lost for good).
    const model = 'real-clip@late';
    const vs = universe(200, 57);
    const ids = await addEmbeddings(vs, model);
    const dir = fs.mkdtempSync(path.join(tmp, 'late-'));
    const synced = await syncAnnIndex(model, dir);
    const g = gaussian(58);
    const [late] = await addEmbeddings([unit(vs[10].map((x) => x + 0.01 * g()))], model);
    const r = await updateNearDuplicatePairs(synced, 0.95, { mode: 'cells' });
    expect(r).toMatchObject({ reset: 'first pass', cellPhotos: 200 });
    expect(await db().clipPairSearched.findUnique({ where: { photoId: late } })).toBeNull();
    expect(r.pairs.map(key)).not.toContain(key({ a: ids[10], b: late }));
    // The next pass files it in the index and searches it in its nearest cells.
    const next = await updateNearDuplicatePairs(await syncAnnIndex(model, dir), 0.95);
    expect(next).toMatchObject({ reset: null, searched: 1, cellPhotos: 0 });
    expect(next.pairs.map(key)).toContain(key({ a: ids[10], b: late }));
    expect(new Set(next.pairs.map(key))).toEqual(await exactPairs(0.95, model));
  });
});
