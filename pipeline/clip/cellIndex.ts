// The approximate nearest-neighbour index of the pipeline (IVF): centroids, and every photo's projected int8 row filed
// under its nearest centroid; the pass by cells compares inside them. No graph to build: at 3M photos on 2 cores an HNSW
// graph's insertion (usearch) cost 809 µs of CPU per photo and grew with the graph (pipeline/clip/README.md), while
// filing a row costs one product with the centroids. A query reads only its nearest cells' rows from the saved file.
import fs from 'node:fs';
import type { CellRows } from './pairCells.ts';

/** The saved file: MAGIC, a u32 header length, the JSON header, then the sections below, each 8-byte aligned. */
const MAGIC = Buffer.from('QCELLIX1');

/**
 * `probes`: the file also holds each row's nearest `probes` cells (saved right after a build or a refit, while the
 * builder's assignment of every row is current), so a pass by cells in another process need not assign them again.
 */
type Header = { format: 1; dims: number; cells: number; count: number; probes?: number };

/** Where each section of a saved file starts (bytes). */
function layout(h: Header, headerBytes: number) {
  const align = (n: number) => Math.ceil(n / 8) * 8;
  const centroids = align(MAGIC.length + 4 + headerBytes);
  const starts = align(centroids + h.cells * h.dims * 4);
  const keys = align(starts + (h.cells + 1) * 4);
  const rows = align(keys + h.count * 8);
  const near = align(rows + h.count * h.dims);
  return {
    centroids,
    starts,
    keys,
    rows,
    near,
    end: h.probes ? near + h.count * h.probes * 4 : rows + h.count * h.dims,
  };
}

export type CellMatches = {
  /** n × k keys, best first; a row with fewer than k answers has `counts[i]` of them. */
  keys: BigUint64Array;
  /** The int8 products / 127² (the quantized cosine), aligned with keys. */
  similarities: Float32Array;
  counts: Uint32Array;
  /** Rows each query read. */
  scanned: Uint32Array;
};

/** What searches and the pair passes read: the builder's index in memory or a reader's view of the saved file. */
export interface CellSource {
  readonly dims: number;
  readonly centroids: Float32Array;
  readonly cells: number;
  size(): number;
  /** A cell's live rows and their keys. */
  cellRows(cell: number): { keys: BigUint64Array; rows: Int8Array };
  contains(keys: ArrayLike<bigint>): boolean[];
  search(queries: Int8Array, n: number, k: number, probes: number, maxRows?: number): CellMatches;
}

/**
 * Rows a "similar photos" query scans: its nearest cells until about this many rows, so a small index is searched
 * whole (exact) and a large one in its nearest cells. Measured on the ann bench (clip README): at 1M, cells probed by
 * an average cell's size read ~64k rows a query (a query's nearest cells are crowded ones), 44 ms of CPU at p95.
 */
export const QUERY_SCAN_ROWS = 32_768;
export const MIN_QUERY_PROBES = 8;

/**
 * The most cells a query probes to scan about `rows` rows: 4× as many as cells of average size would take, as its
 * nearest cells may be small ones (search stops at `rows` first); at least MIN_QUERY_PROBES, at most every cell.
 */
export function queryProbes(index: Pick<CellSource, 'cells' | 'size'>, rows = QUERY_SCAN_ROWS): number {
  const perCell = Math.max(1, index.size() / Math.max(1, index.cells));
  return Math.min(index.cells, Math.max(MIN_QUERY_PROBES, 4 * Math.ceil(rows / perCell)));
}

/** Sorted copy of keys, for membership by binary search (8 bytes a photo, where a Map costs ~100). */
function sortedKeys(keys: BigUint64Array): BigUint64Array {
  return keys.slice().sort();
}

function hasKey(sorted: BigUint64Array, key: bigint): boolean {
  let lo = 0;
  let hi = sorted.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (sorted[mid] < key) lo = mid + 1;
    else hi = mid;
  }
  return lo < sorted.length && sorted[lo] === key;
}

/** Best-k keeper for one query: a small sorted array (k is at most a few hundred). */
class TopK<K> {
  readonly keys: K[] = [];
  readonly scores: number[] = [];
  constructor(private readonly k: number) {}
  offer(key: K, score: number): void {
    const n = this.scores.length;
    if (n === this.k && score <= this.scores[n - 1]) return;
    let at = n;
    while (at > 0 && this.scores[at - 1] < score) at--;
    this.scores.splice(at, 0, score);
    this.keys.splice(at, 0, key);
    if (this.scores.length > this.k) {
      this.scores.pop();
      this.keys.pop();
    }
  }
}

/** The `probes` cells whose centroids score highest against a query (a float row of `dims`). */
export function nearestCentroids(
  centroids: Float32Array,
  dims: number,
  query: ArrayLike<number>,
  probes: number,
): number[] {
  const cells = centroids.length / dims;
  const best = new TopK<number>(Math.min(probes, cells));
  for (let c = 0; c < cells; c++) {
    let s = 0;
    const o = c * dims;
    for (let k = 0; k < dims; k++) s += centroids[o + k] * query[k];
    best.offer(c, s);
  }
  return best.keys;
}

/** Scale of the int8 rows (pairCells.ts's quantizeRows): a unit row's components × 127. */
const I8 = 127;

/** Reads a cell's rows: from memory (the builder's index) or from the saved file (a reader's view). */
type RowSource = (cell: number) => { keys: BigUint64Array; rows: Int8Array };

function searchCells(
  centroids: Float32Array,
  dims: number,
  source: RowSource,
  queries: Int8Array,
  n: number,
  k: number,
  probes: number,
  maxRows = Number.POSITIVE_INFINITY,
): CellMatches {
  const keys = new BigUint64Array(n * k);
  const similarities = new Float32Array(n * k);
  const counts = new Uint32Array(n);
  const scanned = new Uint32Array(n);
  for (let q = 0; q < n; q++) {
    const at = q * dims;
    const query = queries.subarray(at, at + dims);
    const top = new TopK<bigint>(k);
    for (const cell of nearestCentroids(centroids, dims, query, probes)) {
      // Nearest first, so the rows read are those most likely to hold the neighbours.
      if (scanned[q] >= maxRows) break;
      const c = source(cell);
      scanned[q] += c.keys.length;
      for (let r = 0; r < c.keys.length; r++) {
        let s = 0;
        const o = r * dims;
        for (let d = 0; d < dims; d++) s += query[d] * c.rows[o + d];
        top.offer(c.keys[r], s);
      }
    }
    counts[q] = top.keys.length;
    for (let i = 0; i < top.keys.length; i++) {
      keys[q * k + i] = top.keys[i];
      similarities[q * k + i] = top.scores[i] / (I8 * I8);
    }
  }
  return { keys, similarities, counts, scanned };
}

/**
 * The builder's index, in memory: rows filed under their nearest centroid, added in pages (`add`), removed by key
 * (tombstones, dropped at the next save), saved sorted by cell.
 */
export class CellIndex implements CellSource {
  private keys: BigUint64Array;
  private rows: Int8Array;
  private home: Int32Array;
  private count = 0;
  private live = 0;
  /**
   * Membership: the live keys sorted when first asked (8 bytes a photo; a Map of 10M keys took ~1 GB), the keys added
   * and removed since in small sets.
   */
  private sorted: BigUint64Array | null = null;
  private addedSince = new Set<bigint>();
  private removedSince = new Set<bigint>();
  /** Rows by cell (counting sort of `home`), rebuilt after changes. */
  private byCell: { start: Int32Array; list: Int32Array } | null = null;
  /**
   * Each row's nearest cells (n × probes, nearest first), when the builder computed them for every row at once: the
   * pass by cells that follows a build takes them instead of assigning every row again (~a third of its time at 10M).
   * Dropped by any change.
   */
  assigned: { near: Int32Array; probes: number } | null = null;

  constructor(
    public centroids: Float32Array,
    readonly dims: number,
    capacity = 1024,
  ) {
    this.keys = new BigUint64Array(capacity);
    this.rows = new Int8Array(capacity * dims);
    this.home = new Int32Array(capacity);
  }

  get cells(): number {
    return this.centroids.length / this.dims;
  }

  size(): number {
    return this.live;
  }

  /** An index over rows already filed (a pass by cells' rows, centroids and nearest cells), without copying them. */
  static of(centroids: Float32Array, rows: CellRows, keys: BigUint64Array, home: Int32Array): CellIndex {
    const index = new CellIndex(centroids, rows.dims, 0);
    index.keys = keys;
    index.rows = rows.data;
    index.home = home;
    index.count = rows.n;
    index.live = rows.n;
    return index;
  }

  private changed(): void {
    this.byCell = null;
    this.assigned = null;
  }

  private grow(need: number): void {
    if (need <= this.keys.length) return;
    const capacity = Math.max(need, Math.ceil(this.keys.length * 1.5));
    const keys = new BigUint64Array(capacity);
    keys.set(this.keys.subarray(0, this.count));
    const rows = new Int8Array(capacity * this.dims);
    rows.set(this.rows.subarray(0, this.count * this.dims));
    const home = new Int32Array(capacity);
    home.set(this.home.subarray(0, this.count));
    this.keys = keys;
    this.rows = rows;
    this.home = home;
  }

  /**
   * Rows `rows` (int8, as quantizeRows makes them) under `keys`, each filed in `home` (its nearest centroid, as
   * pairCells' nearestCells gives it). A key already present is replaced.
   */
  add(keys: BigUint64Array, rows: CellRows, home: Int32Array): void {
    if (rows.dims !== this.dims)
      throw new Error(`rows of ${rows.dims} dimensions in an index of ${this.dims}`);
    if (this.count > 0) {
      const present = this.contains(keys);
      if (present.some(Boolean)) this.remove(Array.from(keys).filter((_, i) => present[i]));
    }
    this.grow(this.count + keys.length);
    for (let i = 0; i < keys.length; i++) {
      const r = this.count + i;
      this.keys[r] = keys[i];
      this.home[r] = home[i];
      this.rows.set(rows.data.subarray(i * this.dims, (i + 1) * this.dims), r * this.dims);
      if (this.sorted) {
        this.addedSince.add(keys[i]);
        this.removedSince.delete(keys[i]);
      }
    }
    this.count += keys.length;
    this.live += keys.length;
    this.changed();
  }

  /** Removes the keys present; returns how many were. One scan of the rows per call: callers remove in batches. */
  remove(keys: ArrayLike<bigint>): number {
    const gone = new Set<bigint>();
    const present = this.contains(keys);
    for (let i = 0; i < keys.length; i++) if (present[i]) gone.add(keys[i]);
    if (gone.size === 0) return 0;
    let removed = 0;
    for (let r = 0; r < this.count && removed < gone.size; r++)
      if (this.home[r] >= 0 && gone.has(this.keys[r])) {
        this.home[r] = -1;
        removed++;
      }
    if (this.sorted)
      for (const k of gone) {
        if (!this.addedSince.delete(k)) this.removedSince.add(k);
      }
    this.live -= removed;
    this.changed();
    return removed;
  }

  contains(keys: ArrayLike<bigint>): boolean[] {
    if (!this.sorted) {
      const live = new BigUint64Array(this.live);
      for (let r = 0, i = 0; r < this.count; r++) if (this.home[r] >= 0) live[i++] = this.keys[r];
      this.sorted = sortedKeys(live);
      this.addedSince.clear();
      this.removedSince.clear();
    }
    const sorted = this.sorted;
    return Array.from(
      keys,
      (k) => this.addedSince.has(k) || (!this.removedSince.has(k) && hasKey(sorted, k)),
    );
  }

  /**
   * The live rows, their keys and cells, as arrays of exactly `size()` rows (removed rows dropped, in place): what the
   * pass by cells compares. Views of the index's own memory, valid until its next change.
   */
  compact(): { rows: CellRows; keys: BigUint64Array; home: Int32Array } {
    if (this.live !== this.count) {
      let w = 0;
      for (let r = 0; r < this.count; r++) {
        if (this.home[r] < 0) continue;
        if (w !== r) {
          this.keys[w] = this.keys[r];
          this.home[w] = this.home[r];
          this.rows.copyWithin(w * this.dims, r * this.dims, (r + 1) * this.dims);
        }
        w++;
      }
      this.count = w;
      this.changed();
    }
    const n = this.count;
    return {
      rows: { n, dims: this.dims, data: this.rows.subarray(0, n * this.dims) },
      keys: this.keys.subarray(0, n),
      home: this.home.subarray(0, n),
    };
  }

  /**
   * Files every live row again under new centroids (a refit: the collection has grown since the cells were fitted),
   * with `near`, each row's nearest cells under them (n × probes, nearest first, in compact()'s order).
   */
  refile(centroids: Float32Array, near: Int32Array, probes: number): void {
    const { rows } = this.compact();
    if (near.length !== rows.n * probes) throw new Error('refile: one set of nearest cells per row');
    this.centroids = centroids;
    for (let r = 0; r < rows.n; r++) this.home[r] = near[r * probes];
    this.changed();
    this.assigned = { near, probes };
  }

  private cellsIndex(): { start: Int32Array; list: Int32Array } {
    if (this.byCell) return this.byCell;
    const start = new Int32Array(this.cells + 1);
    for (let r = 0; r < this.count; r++) if (this.home[r] >= 0) start[this.home[r] + 1]++;
    for (let c = 0; c < this.cells; c++) start[c + 1] += start[c];
    const fill = start.slice(0, this.cells);
    const list = new Int32Array(this.live);
    for (let r = 0; r < this.count; r++) if (this.home[r] >= 0) list[fill[this.home[r]]++] = r;
    this.byCell = { start, list };
    return this.byCell;
  }

  cellRows: RowSource = (cell) => {
    const { start, list } = this.cellsIndex();
    const members = list.subarray(start[cell], start[cell + 1]);
    const keys = new BigUint64Array(members.length);
    const rows = new Int8Array(members.length * this.dims);
    for (let i = 0; i < members.length; i++) {
      keys[i] = this.keys[members[i]];
      rows.set(this.rows.subarray(members[i] * this.dims, (members[i] + 1) * this.dims), i * this.dims);
    }
    return { keys, rows };
  };

  /** The best k of each query row (int8, n × dims) among the rows of its `probes` nearest cells, up to `maxRows`. */
  search(queries: Int8Array, n: number, k: number, probes: number, maxRows?: number): CellMatches {
    return searchCells(this.centroids, this.dims, this.cellRows, queries, n, k, probes, maxRows);
  }

  /** Writes the index sorted by cell (removed rows left out). The caller renames the file into place. */
  save(file: string): void {
    const { start, list } = this.cellsIndex();
    // The assignment is of the rows as they are (no removed row among them: any change drops it).
    const assigned = this.assigned && this.count === this.live ? this.assigned : null;
    const header: Header = {
      format: 1,
      dims: this.dims,
      cells: this.cells,
      count: this.live,
      ...(assigned ? { probes: assigned.probes } : {}),
    };
    const json = Buffer.from(JSON.stringify(header));
    const l = layout(header, json.length);
    const fd = fs.openSync(file, 'w');
    try {
      const head = Buffer.alloc(l.centroids);
      MAGIC.copy(head, 0);
      head.writeUInt32LE(json.length, MAGIC.length);
      json.copy(head, MAGIC.length + 4);
      fs.writeSync(fd, head, 0, head.length, 0);
      fs.writeSync(
        fd,
        new Uint8Array(this.centroids.buffer, this.centroids.byteOffset, this.centroids.byteLength),
        0,
        this.centroids.byteLength,
        l.centroids,
      );
      fs.writeSync(
        fd,
        new Uint8Array(start.buffer, start.byteOffset, start.byteLength),
        0,
        start.byteLength,
        l.starts,
      );
      // Keys and rows in cell order, a page at a time (rows are 2.6 GB at 10M).
      const page = 65_536;
      for (let from = 0; from < list.length; from += page) {
        const to = Math.min(list.length, from + page);
        const keys = new BigUint64Array(to - from);
        const rows = new Int8Array((to - from) * this.dims);
        for (let i = from; i < to; i++) {
          keys[i - from] = this.keys[list[i]];
          rows.set(
            this.rows.subarray(list[i] * this.dims, (list[i] + 1) * this.dims),
            (i - from) * this.dims,
          );
        }
        fs.writeSync(fd, new Uint8Array(keys.buffer), 0, keys.byteLength, l.keys + from * 8);
        fs.writeSync(fd, new Uint8Array(rows.buffer), 0, rows.byteLength, l.rows + from * this.dims);
        if (assigned) {
          const p = assigned.probes;
          const near = new Int32Array((to - from) * p);
          for (let i = from; i < to; i++)
            near.set(assigned.near.subarray(list[i] * p, (list[i] + 1) * p), (i - from) * p);
          fs.writeSync(fd, new Uint8Array(near.buffer), 0, near.byteLength, l.near + from * p * 4);
        }
      }
      fs.ftruncateSync(fd, l.end);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  }

  /** The builder's copy of a saved index, every row in memory (with the rows' nearest cells when the file has them). */
  static load(file: string): CellIndex {
    const view = CellIndexView.open(file);
    try {
      const n = view.size();
      const rows = new Int8Array(n * view.dims);
      const home = new Int32Array(n);
      for (let c = 0, at = 0; c < view.cells; c++) {
        const cell = view.cellRows(c);
        rows.set(cell.rows, at * view.dims);
        home.fill(c, at, at + cell.keys.length);
        at += cell.keys.length;
      }
      const index = CellIndex.of(view.centroids, { n, dims: view.dims, data: rows }, view.allKeys(), home);
      index.assigned = view.assigned();
      return index;
    } finally {
      view.close();
    }
  }
}

/**
 * A reader's view of a saved index: centroids, cell bounds and keys in memory (~8 bytes a photo), rows read per cell
 * from the file when a query probes it (the page cache keeps hot cells). The file descriptor keeps the file it opened
 * readable when a builder renames a new one into place.
 */
export class CellIndexView implements CellSource {
  private sorted: BigUint64Array | null = null;
  private closed = false;

  private constructor(
    readonly file: string,
    private readonly fd: number,
    readonly dims: number,
    readonly centroids: Float32Array,
    private readonly starts: Int32Array,
    private readonly keys: BigUint64Array,
    private readonly rowsAt: number,
    private readonly near: { at: number; probes: number } | null,
  ) {}

  /** Every row's nearest cells as saved with the file (in its cell order), or null when it has none. */
  assigned(): { near: Int32Array; probes: number } | null {
    if (!this.near) return null;
    const near = new Int32Array(this.keys.length * this.near.probes);
    if (near.length) fs.readSync(this.fd, new Uint8Array(near.buffer), 0, near.byteLength, this.near.at);
    return { near, probes: this.near.probes };
  }

  contains(keys: ArrayLike<bigint>): boolean[] {
    this.sorted ??= sortedKeys(this.keys);
    const sorted = this.sorted;
    return Array.from(keys, (k) => hasKey(sorted, k));
  }

  get cells(): number {
    return this.starts.length - 1;
  }

  size(): number {
    return this.keys.length;
  }

  static open(file: string): CellIndexView {
    const fd = fs.openSync(file, 'r');
    try {
      const head = Buffer.alloc(MAGIC.length + 4);
      fs.readSync(fd, head, 0, head.length, 0);
      if (!head.subarray(0, MAGIC.length).equals(MAGIC)) throw new Error(`${file}: not a cell index`);
      const length = head.readUInt32LE(MAGIC.length);
      const json = Buffer.alloc(length);
      fs.readSync(fd, json, 0, length, MAGIC.length + 4);
      const header = JSON.parse(json.toString('utf8')) as Header;
      if (header.format !== 1) throw new Error(`${file}: cell index format ${header.format}`);
      const l = layout(header, length);
      if (fs.fstatSync(fd).size < l.end)
        throw new Error(`${file}: truncated (${fs.fstatSync(fd).size} of ${l.end} bytes)`);
      const read = (at: number, bytes: number) => {
        const buf = new ArrayBuffer(bytes);
        fs.readSync(fd, new Uint8Array(buf), 0, bytes, at);
        return buf;
      };
      const centroids = new Float32Array(read(l.centroids, header.cells * header.dims * 4));
      const starts = new Int32Array(read(l.starts, (header.cells + 1) * 4));
      const keys = new BigUint64Array(read(l.keys, header.count * 8));
      return new CellIndexView(
        file,
        fd,
        header.dims,
        centroids,
        starts,
        keys,
        l.rows,
        header.probes ? { at: l.near, probes: header.probes } : null,
      );
    } catch (e) {
      fs.closeSync(fd);
      throw e;
    }
  }

  /** Photos filed in a cell. */
  cellSize(cell: number): number {
    return this.starts[cell + 1] - this.starts[cell];
  }

  /** Every key, in cell order (a copy). */
  allKeys(): BigUint64Array {
    return this.keys.slice();
  }

  cellRows(cell: number): { keys: BigUint64Array; rows: Int8Array } {
    if (this.closed) throw new Error(`${this.file}: view closed`);
    const from = this.starts[cell];
    const to = this.starts[cell + 1];
    const rows = new Int8Array((to - from) * this.dims);
    if (rows.length)
      fs.readSync(this.fd, new Uint8Array(rows.buffer), 0, rows.length, this.rowsAt + from * this.dims);
    return { keys: this.keys.subarray(from, to), rows };
  }

  search(queries: Int8Array, n: number, k: number, probes: number, maxRows?: number): CellMatches {
    return searchCells(this.centroids, this.dims, (c) => this.cellRows(c), queries, n, k, probes, maxRows);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    fs.closeSync(this.fd);
  }
}
