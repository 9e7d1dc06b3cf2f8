// The manifest written beside the dataset files: what is in them, what was left out and why, and how it was made.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import type { ExportFile } from '../../lib/queries/exports.ts';
import type { ExportFormat } from './files.ts';
import { COLUMN_SETS, type ColumnSet } from './columns.ts';

export async function describeFile(file: string, format: ExportFormat): Promise<ExportFile> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return { name: path.basename(file), format, bytes: (await stat(file)).size, sha256: hash.digest('hex') };
}

export type ManifestInput = {
  exportId: string;
  createdAt: Date;
  rowCount: number;
  columns: ColumnSet;
  files: ExportFile[];
  counts: { photos: number; included: number; excluded: Record<string, number> };
  licenses: number[];
  watermarkAccountPolicy: 'account' | 'photo';
  thresholds: Record<string, unknown> | null;
  versions: Record<string, string[]>;
  runIds: string[];
};

export function buildManifest(m: ManifestInput): Record<string, unknown> {
  const parquet = m.files.find((f) => f.format === 'parquet');
  return {
    name: 'quarry-dataset',
    exportId: m.exportId,
    createdAt: m.createdAt.toISOString(),
    rowCount: m.rowCount,
    columns: COLUMN_SETS[m.columns],
    files: m.files,
    photosConsidered: m.counts.photos,
    excludedByReason: m.counts.excluded,
    inclusionRule:
      'license allowed, fetched and available, account not rejected, not a non-canonical duplicate, no check failed (the newest reviewer override wins over the automatic verdict); under watermarkAccountPolicy "account", no photo of an account whose watermark verdict is fail (account_watermark) unless the account was approved or the photo’s watermark set to pass; a photo excluded for several reasons counts under each',
    licenses: m.licenses,
    watermarkAccountPolicy: m.watermarkAccountPolicy,
    thresholds: m.thresholds,
    modelVersions: m.versions,
    runIds: m.runIds,
    ...(parquet
      ? {
          img2dataset: `img2dataset --url_list ${parquet.name} --input_format parquet --url_col url_highres --output_format webdataset --output_folder images`,
        }
      : {}),
  };
}
