// The all-neighbours pass by cells: a pair straddling a cell boundary is found from the neighbouring cell, every pair
// is reported once, and a pass resumed at a later cell reports exactly the rest.
import { describe, expect, it } from 'vitest';
import {
  type CellBatch,
  type CellRows,
  cellCount,
  cellPairs,
  fitCells,
  nearestCells,
  quantizeRows,
} from '../../../pipeline/clip/pairCells.ts';
import { gaussian, unit } from '../../helpers/embeddings.ts';

const DIM = 32;

function rowsOf(vectors: number[][]): CellRows {
  const rows: CellRows = { n: vectors.length, dims: DIM, data: new Int8Array(vectors.length * DIM) };
  quantizeRows(Float32Array.from(vectors.flat()), vectors.length, rows, 0);
  return rows;
}

async function collect(
  rows: CellRows,
  centroids: Float32Array,
  floor: number,
  opts: { probes?: number; fromCell?: number; batchRows?: number } = {},
) {
  const pairs: string[] = [];
  const batches: CellBatch[] = [];
  await cellPairs(rows, centroids, floor, {
    ...opts,
    onBatch: async (b) => {
      batches.push(b);
      for (let i = 0; i < b.a.length; i++)
        pairs.push(b.a[i] < b.b[i] ? `${b.a[i]}:${b.b[i]}` : `${b.b[i]}:${b.a[i]}`);
    },
  });
  return { pairs, batches };
}

const dot = (x: number[], y: number[]) => x.reduce((s, v, i) => s + v * y[i], 0);

describe('near-duplicate candidates by cells', () => {
  it('finds a pair whose photos fall in two cells, from the cell each probes next', async () => {
    // Two cells, e0 and e1; a and b sit either side of the boundary between them, at cosine ~0.99 to each other.
    const e = (k: number) => Array.from({ length: DIM }, (_, i) => (i === k ? 1 : 0));
    const a = unit(e(0).map((x, i) => x + (i === 1 ? 0.9 : 0) + (i === 2 ? 0.1 : 0)));
    const b = unit(e(1).map((x, i) => x + (i === 0 ? 0.9 : 0) + (i === 2 ? 0.1 : 0)));
    const far = [
      unit(e(0).map((x, i) => x + (i === 5 ? 0.5 : 0))),
      unit(e(1).map((x, i) => x + (i === 6 ? 0.5 : 0))),
    ];
    expect(dot(a, b)).toBeGreaterThan(0.98);
    const rows = rowsOf([a, b, ...far]);
    const centroids = Float32Array.from([...e(0), ...e(1)]);
    // Compared in its own cell only, the pair is lost: that is what the probes are for.
    expect((await collect(rows, centroids, 0.95, { probes: 1 })).pairs).toEqual([]);
    const { pairs } = await collect(rows, centroids, 0.95, { probes: 2 });
    // Found once, though each of the two probes the other's cell.
    expect(pairs).toEqual(['0:1']);
  });

  it('reports every pair over the floor once, as an exact scan of the quantized rows does', async () => {
    const g = gaussian(3);
    const vectors: number[][] = [];
    while (vectors.length < 900) {
      const base = unit(Array.from({ length: DIM }, g));
      vectors.push(base);
      if (vectors.length % 5 === 0) vectors.push(unit(base.map((x) => x + 0.04 * g())));
    }
    const rows = rowsOf(vectors);
    const centroids = await fitCells(rows, cellCount(rows.n));
    const { pairs } = await collect(rows, centroids, 0.9);
    expect(new Set(pairs).size).toBe(pairs.length);
    const exact: string[] = [];
    for (let i = 0; i < vectors.length; i++)
      for (let j = i + 1; j < vectors.length; j++)
        if (dot(vectors[i], vectors[j]) >= 0.92) exact.push(`${i}:${j}`);
    expect(exact.length).toBeGreaterThan(100);
    for (const p of exact) expect(pairs).toContain(p);
  });

  it('resumed at a later cell reports exactly the pairs of the cells left', async () => {
    const g = gaussian(7);
    const vectors: number[][] = [];
    while (vectors.length < 600) {
      const base = unit(Array.from({ length: DIM }, g));
      vectors.push(base, unit(base.map((x) => x + 0.03 * g())));
    }
    const rows = rowsOf(vectors);
    const centroids = await fitCells(rows, cellCount(rows.n));
    const all = await collect(rows, centroids, 0.9, { batchRows: 50 });
    expect(all.batches.length).toBeGreaterThan(3);
    const cut = all.batches[1].cellsDone;
    const before = all.batches.slice(0, 2).flatMap((b) => Array.from(b.a, (x, i) => `${x}:${b.b[i]}`));
    const rest = await collect(rows, centroids, 0.9, { fromCell: cut, batchRows: 50 });
    expect(rest.batches[0].cellsDone).toBeGreaterThan(cut);
    expect(before.length + rest.pairs.length).toBe(all.pairs.length);
    expect(
      new Set([
        ...before.map((p) =>
          p
            .split(':')
            .map(Number)
            .sort((x, y) => x - y)
            .join(':'),
        ),
        ...rest.pairs,
      ]),
    ).toEqual(new Set(all.pairs));
  });

  it('cuts a crowded region into cells of about even size and still finds its pairs', async () => {
    // One dense region (a topic, a series of one scene) among scattered photos, at the index's 256 dimensions: k-means
    // lets one centroid take most of it (the largest cell held 211 rows, 7× the mean, without the cut), and a cell's
    // products are quadratic in its size.
    const dims = 256;
    const g = gaussian(11);
    const centre = unit(Array.from({ length: dims }, g));
    const vectors: number[][] = [];
    for (let i = 0; i < 300; i++) vectors.push(unit(Array.from({ length: dims }, g)));
    for (let i = 0; i < 1500; i++) {
      const v = unit(centre.map((x) => x + 0.035 * g()));
      vectors.push(v);
      if (i % 4 === 0) vectors.push(unit(v.map((x) => x + 0.006 * g())));
    }
    const rows: CellRows = { n: vectors.length, dims, data: new Int8Array(vectors.length * dims) };
    quantizeRows(Float32Array.from(vectors.flat()), vectors.length, rows, 0);
    const asked = cellCount(rows.n);
    const centroids = await fitCells(rows, asked);
    const cells = centroids.length / dims;
    const home = await nearestCells(rows, centroids, cells, 1);
    const sizes = new Int32Array(cells);
    for (const c of home) sizes[c]++;
    expect(Math.max(...sizes)).toBeLessThan((2 * rows.n) / asked);
    const { pairs } = await collect(rows, centroids, 0.9);
    const exact: string[] = [];
    for (let i = 0; i < vectors.length; i++)
      for (let j = i + 1; j < vectors.length; j++)
        if (dot(vectors[i], vectors[j]) >= 0.95) exact.push(`${i}:${j}`);
    expect(exact.length).toBeGreaterThan(300);
    const found = new Set(pairs);
    for (const p of exact) expect(found).toContain(p);
  });
});
