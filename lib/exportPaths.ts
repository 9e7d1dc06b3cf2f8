// Where export files live, and how their folder is stored on the export row: relative to the export root
// (EXPORT_DIR, default DATA_DIR/exports) so a restored or moved data folder still finds them; a folder the
// operator chose outside the root (`export --out`) stays absolute.
import path from 'node:path';
import { dataDir, env } from './env.ts';

export function exportRoot(dataDirectory: string = dataDir()): string {
  return path.resolve(process.env.EXPORT_DIR ?? env.EXPORT_DIR ?? path.join(dataDirectory, 'exports'));
}

/** The value to store for `directory`: relative when inside the export root. */
export function storedExportDirectory(directory: string, root: string = exportRoot()): string {
  const rel = path.relative(root, path.resolve(directory));
  return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : path.resolve(directory);
}

/** The folder on disk for a stored `directory` (older rows hold absolute paths: used as they are). */
export function resolveExportDirectory(stored: string, root: string = exportRoot()): string {
  return path.isAbsolute(stored) ? stored : path.resolve(root, stored);
}
