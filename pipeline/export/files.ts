// Names of the files an export writes (shared by the exporter and the download route).
import type { ExportFormat } from '../runs/config.ts';

export const FILE_NAMES: Record<ExportFormat, string> = { parquet: 'photos.parquet', jsonl: 'photos.jsonl', csv: 'photos.csv' };
export const MANIFEST_NAME = 'manifest.json';
