// Reading the ANN index another process saved: every reader (the web app, the duplicate step after a queued build)
// opens the last complete file instead of building its own.
import fs from 'node:fs';
import { type AnnMeta, annFiles, loadAnnProjection, readAnnMeta, toIndexRows } from './annIndex.ts';
import { AnnKeys } from './annKeys.ts';
import type { AnnProjection } from './annProjection.ts';
import { type CellMatches, CellIndexView, QUERY_SCAN_ROWS, queryProbes } from './cellIndex.ts';

export type SavedAnnIndex = {
  index: CellIndexView;
  keys: AnnKeys;
  meta: AnnMeta;
  projection: AnnProjection | null;
  file: string;
};
const cache = globalThis as unknown as { __quarryAnnView?: SavedAnnIndex };

/** A replaced view stays open this long for a query that was reading it, then its file descriptor is closed. */
const CLOSE_AFTER_MS = 60_000;

/**
 * The saved index, as a view (keys and cell bounds in memory, ~8 bytes a photo; a query reads its cells' rows from the
 * file, which the page cache shares with every other reader), reopened when a builder has saved a newer one. Null when
 * none is saved. A builder replaces the file by rename, so a view keeps reading the complete file it opened.
 */
export function viewSavedAnnIndex(dataDir: string): SavedAnnIndex | null {
  const meta = readAnnMeta(dataDir);
  const f = annFiles(dataDir);
  // An index of an earlier format (the HNSW graph's) is as good as none until the next build replaces it.
  if (meta?.format !== 3 || !fs.existsSync(f.index)) return null;
  const c = cache.__quarryAnnView;
  if (
    c &&
    c.file === f.index &&
    c.meta.updatedAt === meta.updatedAt &&
    c.meta.builtAt === meta.builtAt &&
    c.meta.modelKey === meta.modelKey
  )
    return c;
  let projection: AnnProjection | null;
  let index: CellIndexView;
  try {
    projection = loadAnnProjection(dataDir, meta);
    index = CellIndexView.open(f.index);
  } catch {
    // Dropped or replaced by a build between reading the meta and here: the next call sees the new pair.
    return null;
  }
  if (c) setTimeout(() => c.index.close(), CLOSE_AFTER_MS).unref();
  cache.__quarryAnnView = { index, keys: AnnKeys.load(f.keys), meta, projection, file: f.index };
  return cache.__quarryAnnView;
}

/**
 * The best k of each query (n stored embeddings as one float block) in a saved index's nearest cells, by the int8
 * cosine: enough cells to scan about QUERY_SCAN_ROWS rows (all of a small index). Callers re-rank exactly.
 */
export async function searchSaved(
  saved: Pick<SavedAnnIndex, 'index' | 'projection'>,
  queries: Float32Array,
  n: number,
  k: number,
  scanRows?: number,
): Promise<CellMatches> {
  const rows = await toIndexRows(saved.projection, queries, n);
  const budget = scanRows ?? QUERY_SCAN_ROWS;
  return saved.index.search(rows.data, n, k, queryProbes(saved.index, budget), budget);
}
