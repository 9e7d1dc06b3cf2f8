// The pipeline's stages as the web app and run control see them: names, labels, preflight checks, whether they
// have a finishing step — and none of their code (test/pipeline/runs/catalog.test.ts keeps it in step with index.ts).
import { env } from '../../../lib/env.ts';
import { STAGE_LABELS } from '../config.ts';
import { ANN_FINISH_EXPIRE_SECONDS } from '../queues.ts';
import type { StageDescriptor, StageRegistry } from '../types.ts';

export const ingestPreflight = () =>
  env.FLICKR_API_KEY ? null : 'FLICKR_API_KEY is not set: ingest cannot call the Flickr API';

export const STAGE_CATALOG: StageDescriptor[] = [
  { name: 'ingest', label: STAGE_LABELS.ingest, preflight: ingestPreflight, after: true },
  {
    name: 'analyze',
    label: STAGE_LABELS.analyze,
    after: true,
    afterExpireSeconds: ANN_FINISH_EXPIRE_SECONDS,
  },
  { name: 'clip', label: STAGE_LABELS.clip, after: true, afterExpireSeconds: ANN_FINISH_EXPIRE_SECONDS },
  { name: 'watermarks', label: STAGE_LABELS.watermarks },
  { name: 'export', label: STAGE_LABELS.export },
];

export function stageCatalog(): StageRegistry {
  return new Map(STAGE_CATALOG.map((s) => [s.name, s]));
}
