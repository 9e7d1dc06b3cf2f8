// The index of cells: a search among all cells is exact, the saved file answers as the builder's copy did, removed
// photos are gone, and a damaged file is refused with a clear error.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { CellIndex, CellIndexView } from '../../../pipeline/clip/cellIndex.ts';
import {
  type CellRows,
  cellCount,
  fitCells,
  nearestCells,
  quantizeRows,
} from '../../../pipeline/clip/pairCells.ts';
import { gaussian, unit } from '../../helpers/embeddings.ts';

const DIM = 32;
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarry-cellindex-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** 600 photos around 20 topics, each with a near-copy every third photo. */
function collection(seed: number): CellRows {
  const g = gaussian(seed);
  const topics = Array.from({ length: 20 }, () => unit(Array.from({ length: DIM }, g)));
  const vectors: number[][] = [];
  while (vectors.length < 600) {
    const v = unit(topics[vectors.length % 20].map((x) => x + 0.3 * g()));
    vectors.push(v);
    if (vectors.length % 3 === 0) vectors.push(unit(v.map((x) => x + 0.02 * g())));
  }
  const rows: CellRows = { n: vectors.length, dims: DIM, data: new Int8Array(vectors.length * DIM) };
  quantizeRows(Float32Array.from(vectors.flat()), vectors.length, rows, 0);
  return rows;
}

async function built(rows: CellRows) {
  const centroids = await fitCells(rows, cellCount(rows.n));
  const cells = centroids.length / DIM;
  const home = await nearestCells(rows, centroids, cells, 1);
  const index = new CellIndex(centroids, DIM);
  // Keys as Flickr ids would be: large and sparse.
  const keys = BigUint64Array.from({ length: rows.n }, (_, i) => 53_000_000_000n + BigInt(i) * 7n);
  index.add(keys, rows, home);
  return { index, keys, cells };
}

/** The exact top k products of row q (÷ 127², as the index reports them), over the rows not in `gone`. */
function exactTop(
  rows: CellRows,
  keys: BigUint64Array,
  q: number,
  k: number,
  gone = new Set<bigint>(),
): number[] {
  const scored: { key: bigint; s: number }[] = [];
  for (let r = 0; r < rows.n; r++) {
    if (gone.has(keys[r])) continue;
    let s = 0;
    for (let d = 0; d < DIM; d++) s += rows.data[q * DIM + d] * rows.data[r * DIM + d];
    scored.push({ key: keys[r], s });
  }
  return scored
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => Math.fround(x.s / (127 * 127)));
}

const answer = (m: { keys: BigUint64Array; counts: Uint32Array }, i: number, k: number) => [
  ...m.keys.subarray(i * k, i * k + m.counts[i]),
];
/** Row i's scores, best first (compared rather than keys: two rows can tie on an int8 product). */
const scores = (m: { similarities: Float32Array; counts: Uint32Array }, i: number, k: number) => [
  ...m.similarities.subarray(i * k, i * k + m.counts[i]),
];

describe('the index of cells', () => {
  it('answers exactly when every cell is probed, and finds each photo in its own cell', async () => {
    const rows = collection(5);
    const { index, keys, cells } = await built(rows);
    expect(index.size()).toBe(rows.n);
    const all = index.search(rows.data, rows.n, 5, cells);
    // Its own cell alone: the photo is there (beside its near-copy, whose rounded int8 product can pass its own).
    const near = index.search(rows.data, rows.n, 2, 1);
    for (let q = 0; q < rows.n; q += 7) {
      expect(scores(all, q, 5)).toEqual(exactTop(rows, keys, q, 5));
      expect(answer(near, q, 2)).toContain(keys[q]);
    }
  });

  it('stops reading cells once a query has read its budget of rows, nearest cells first', async () => {
    const rows = collection(10);
    const { index, keys, cells } = await built(rows);
    const unlimited = index.search(rows.data, rows.n, 3, cells);
    expect([...unlimited.scanned].every((s) => s === rows.n)).toBe(true);
    const budget = 60;
    const limited = index.search(rows.data, rows.n, 3, cells, budget);
    const biggest = Math.max(...Array.from({ length: cells }, (_, c) => index.cellRows(c).keys.length));
    for (let q = 0; q < rows.n; q++) {
      expect(limited.scanned[q]).toBeGreaterThanOrEqual(Math.min(budget, rows.n));
      // It stops at the first cell that reaches the budget: at most one cell over.
      expect(limited.scanned[q]).toBeLessThan(budget + biggest);
    }
    // The photo itself is in its own (nearest) cell, read first.
    for (let q = 0; q < rows.n; q += 13) expect(answer(limited, q, 3)).toContain(keys[q]);
  });

  it('answers from the saved file as the builder did, and again after a reload', async () => {
    const rows = collection(6);
    const { index } = await built(rows);
    const file = path.join(dir, 'a.cells');
    index.save(file);
    const view = CellIndexView.open(file);
    const reloaded = CellIndex.load(file);
    try {
      expect(view.size()).toBe(rows.n);
      const fromMemory = index.search(rows.data, rows.n, 8, 3);
      const fromFile = view.search(rows.data, rows.n, 8, 3);
      const fromReload = reloaded.search(rows.data, rows.n, 8, 3);
      expect(fromFile.keys).toEqual(fromMemory.keys);
      expect(fromFile.similarities).toEqual(fromMemory.similarities);
      expect(fromReload.keys).toEqual(fromMemory.keys);
    } finally {
      view.close();
    }
  });

  it('keeps each photo’s nearest cells with a file saved after a build, for a pass in another process', async () => {
    const rows = collection(9);
    const { index, keys, cells } = await built(rows);
    const near = await nearestCells(rows, index.centroids, cells, 3);
    index.assigned = { near, probes: 3 };
    const file = path.join(dir, 'near.cells');
    index.save(file);
    const reloaded = CellIndex.load(file);
    // Reloaded in cell order: each photo's cells follow it there.
    const { keys: order } = reloaded.compact();
    const at = new Map([...keys].map((k, i) => [k, i]));
    expect(reloaded.assigned?.probes).toBe(3);
    for (let r = 0; r < order.length; r++) {
      const i = at.get(order[r])!;
      expect([...reloaded.assigned!.near.subarray(r * 3, r * 3 + 3)]).toEqual([
        ...near.subarray(i * 3, i * 3 + 3),
      ]);
    }
    // A change since the build: the saved file no longer claims an assignment.
    index.remove([keys[0]]);
    index.save(file);
    expect(CellIndex.load(file).assigned).toBeNull();
  });

  it('forgets removed photos, in memory and in the next save, and replaces a key added again', async () => {
    const rows = collection(7);
    const { index, keys, cells } = await built(rows);
    const gone = new Set([keys[0], keys[1], keys[2], keys[100]]);
    expect(index.remove([...gone, 1n])).toBe(4);
    expect(index.contains([keys[0], keys[3]])).toEqual([false, true]);
    expect(index.size()).toBe(rows.n - 4);
    const file = path.join(dir, 'b.cells');
    index.save(file);
    const view = CellIndexView.open(file);
    try {
      expect(view.size()).toBe(rows.n - 4);
      const m = view.search(rows.data, rows.n, 5, cells);
      for (let q = 0; q < rows.n; q += 11) {
        for (const key of answer(m, q, 5)) expect(gone.has(key)).toBe(false);
        expect(scores(m, q, 5)).toEqual(exactTop(rows, keys, q, 5, gone));
      }
    } finally {
      view.close();
    }
    // Row 5's key added again with row 7's vector (a photo without a near-copy) in its cell: one entry, beside row 7.
    const seven = rows.data.slice(7 * DIM, 8 * DIM);
    const cell = (await nearestCells({ n: 1, dims: DIM, data: seven }, index.centroids, cells, 1))[0];
    index.add(BigUint64Array.of(keys[5]), { n: 1, dims: DIM, data: seven }, Int32Array.of(cell));
    expect(index.size()).toBe(rows.n - 4);
    expect(new Set(answer(index.search(seven, 1, 2, 1), 0, 2))).toEqual(new Set([keys[5], keys[7]]));
  });

  it('refuses a truncated or foreign file with a one-line error', async () => {
    const { index } = await built(collection(8));
    const file = path.join(dir, 'c.cells');
    index.save(file);
    fs.truncateSync(file, fs.statSync(file).size - 10);
    expect(() => CellIndexView.open(file)).toThrow(/truncated/);
    fs.writeFileSync(file, 'not an index at all');
    expect(() => CellIndexView.open(file)).toThrow(/not a cell index/);
  });
});
