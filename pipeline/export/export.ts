// Export stage: writes the included photos (by the one inclusion rule) as Parquet / JSONL / CSV plus a manifest.
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportRoot } from '../../lib/exportPaths.ts';
import {
  completeExport,
  createExport,
  exportConnectionName,
  failExport,
  setExportDirectory,
  type ExportFile,
} from '../../lib/queries/exports.ts';
import type { ExportFormat } from './files.ts';
import type { ColumnSet } from './columns.ts';
import { FILE_NAMES, MANIFEST_NAME } from './files.ts';
import { buildManifest, describeFile } from './manifest.ts';
import { inclusionSettings, type WatermarkAccountPolicy } from '../../lib/inclusion.ts';
import { prepareOutDir } from './outDir.ts';
import { openSnapshot } from './source.ts';
import { writeDataset, type Target } from './write.ts';

export { FILE_NAMES, MANIFEST_NAME };

export type ExportOptions = {
  formats: ExportFormat[];
  licenses: number[];
  columns?: ColumnSet;
  /** Directory for the files; default <EXPORT_DIR or DATA_DIR/exports>/<export id>. */
  outDir?: string;
  runId?: string | null;
  createdById?: string | null;
  thresholds?: Record<string, unknown> | null;
  /** Default: WATERMARK_ACCOUNT_POLICY. */
  watermarkPolicy?: WatermarkAccountPolicy;
  onRows?: (written: number, total: number) => void;
  signal?: AbortSignal;
};

export type ExportResult = {
  id: string;
  directory: string;
  rowCount: number;
  files: ExportFile[];
  manifest: Record<string, unknown>;
};

export async function runExport(o: ExportOptions): Promise<ExportResult> {
  const formats = [...new Set(o.formats)];
  const columns = o.columns ?? 'full';
  const rule = inclusionSettings({ watermarkPolicy: o.watermarkPolicy });
  const config = { formats, licenses: o.licenses, columns, thresholds: o.thresholds ?? null, ...rule };
  // The snapshot's connection is named after the export before its row exists: while it is open the export is
  // alive, so a start-up repair (repairStaleExports) never fails an export that is still being written.
  const id = randomBytes(12).toString('hex');
  const snapshot = await openSnapshot(o.licenses, {
    applicationName: exportConnectionName(id),
    watermarkPolicy: rule.watermarkAccountPolicy,
  });
  let created = false;
  let directory: string | null = null;
  try {
    await createExport({ id, formats, config, runId: o.runId, createdById: o.createdById });
    created = true;
    const dir = (directory = await prepareOutDir(o.outDir ?? path.join(exportRoot(), id)));
    await setExportDirectory(id, dir);
    const counts = await snapshot.counts();
    const provenance = await snapshot.provenance();
    const targets: Target[] = formats.map((format) => ({ format, file: path.join(dir, FILE_NAMES[format]) }));
    const rowCount = await writeDataset(snapshot.rows(), targets, {
      columns,
      tmpDir: dir,
      signal: o.signal,
      onRows: (n) => o.onRows?.(n, counts.included),
    });
    const files: ExportFile[] = [];
    for (const t of targets) files.push(await describeFile(t.file, t.format));
    const manifest = buildManifest({
      exportId: id,
      createdAt: new Date(),
      rowCount,
      columns,
      files,
      counts,
      licenses: o.licenses,
      ...rule,
      thresholds: o.thresholds ?? null,
      versions: provenance.versions,
      runIds: [...new Set([...provenance.runIds, ...(o.runId ? [o.runId] : [])])].sort(),
    });
    await writeFile(path.join(dir, MANIFEST_NAME), `${JSON.stringify(manifest, null, 2)}\n`);
    await completeExport(id, { rowCount, files, manifest });
    return { id, directory: dir, rowCount, files, manifest };
  } catch (e) {
    if (created) await failExport(id, e instanceof Error ? e.message : String(e)).catch(() => {});
    if (!o.outDir && directory) await rm(directory, { recursive: true, force: true }).catch(() => {});
    throw e;
  } finally {
    await snapshot.close();
  }
}
