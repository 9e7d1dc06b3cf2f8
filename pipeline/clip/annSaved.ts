// Reading the ANN index another process saved: every reader (the web app, the duplicate step after a queued build)
// memory-maps the last complete file instead of building its own.
import fs from 'node:fs';
import { annFiles, loadAnnProjection, newIndex, readAnnMeta, type AnnMeta } from './annIndex.ts';
import { attachProjection } from './annProjection.ts';
import { AnnKeys } from './annKeys.ts';
import type { UsearchIndex } from './usearch.ts';

export type SavedAnnIndex = { index: UsearchIndex; keys: AnnKeys; meta: AnnMeta; file: string };
const cache = globalThis as unknown as { __quarryAnnView?: SavedAnnIndex };

/**
 * The saved index, memory-mapped (view, not load: a reader pays only for the pages it touches, and the page cache is
 * shared with every other reader on the machine), reopened when a builder has saved a newer one. Null when none is
 * saved. A builder replaces the file by rename, so a view keeps reading the complete file it opened.
 */
export function viewSavedAnnIndex(dataDir: string): SavedAnnIndex | null {
  const meta = readAnnMeta(dataDir);
  const f = annFiles(dataDir);
  // An index of an earlier format (no projection fields) is as good as none until the next build replaces it.
  if (meta?.format !== 2 || !fs.existsSync(f.index)) return null;
  const c = cache.__quarryAnnView;
  if (
    c &&
    c.file === f.index &&
    c.meta.updatedAt === meta.updatedAt &&
    c.meta.builtAt === meta.builtAt &&
    c.meta.modelKey === meta.modelKey
  )
    return c;
  let projection: ReturnType<typeof loadAnnProjection>;
  try {
    projection = loadAnnProjection(dataDir, meta);
  } catch {
    // Dropped by a rebuild between reading the meta and here: the new index is not saved yet.
    return null;
  }
  const index = newIndex(meta.indexDims, meta.quantization);
  index.view(f.index);
  attachProjection(index, projection);
  cache.__quarryAnnView = { index, keys: AnnKeys.load(f.keys), meta, file: f.index };
  return cache.__quarryAnnView;
}
