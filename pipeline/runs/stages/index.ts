// The pipeline's stages in run order; wiring a stage is one adapter file and one line here.
import { registryOf, type AdapterRegistry } from '../types.ts';
import { analyzeStage } from './analyze.ts';
import { clipStage } from './clip.ts';
import { exportStage } from './export.ts';
import { ingestStage } from './ingest.ts';
import { watermarksStage } from './watermarks.ts';

export function defaultRegistry(): AdapterRegistry {
  return registryOf([ingestStage, analyzeStage, clipStage, watermarksStage, exportStage]);
}
