// Names of the files an export writes (shared by the exporter and the download route).

export const EXPORT_FORMATS = ['parquet', 'jsonl', 'csv'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

export const FILE_NAMES: Record<ExportFormat, string> = {
  parquet: 'photos.parquet',
  jsonl: 'photos.jsonl',
  csv: 'photos.csv',
};
export const MANIFEST_NAME = 'manifest.json';
