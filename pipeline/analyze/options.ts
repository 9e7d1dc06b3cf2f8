// Resolved settings of the analyze stage: env defaults (IMAGE_HOSTS, FETCH_*, MIN_RESOLUTION) overridable per run.
import { dataDir as defaultDataDir, env } from '../../lib/env.ts';
import { NEAR_DUPLICATE_DISTANCE } from '../checks/duplicateConfig.ts';
import type { FlickrExifCall } from '../checks/exifRead.ts';
import type { ExtraPair } from '../checks/duplicates.ts';
import type { ClipPairSource } from '../clip/nearDuplicates.ts';
import { createAllowlist, type HostAllowlist } from '../fetch/allowlist.ts';

export type AnalyzeSettings = {
  allowlist: HostAllowlist;
  concurrency: number;
  timeoutMs: number;
  maxBytes: number;
  retries: number;
  backoffMs: number;
  minResolution: number;
  nearDuplicateDistance: number;
  dataDir: string;
  /** Store the CLIP crop while the image is decoded anyway. */
  clip: boolean;
  getExif?: FlickrExifCall;
  extraPairs?: ExtraPair[];
  /** CLIP embeddings whose near-duplicate pairs join the clusters; null for none, undefined = the installed model's. */
  clipPairs?: ClipPairSource | null;
  runId: string | null;
  signal?: AbortSignal;
};

export type AnalyzeOverrides = Partial<Omit<AnalyzeSettings, 'allowlist'>> & { imageHosts?: string[] };

export function resolveSettings(o: AnalyzeOverrides = {}): AnalyzeSettings {
  return {
    allowlist: createAllowlist(o.imageHosts ?? env.IMAGE_HOSTS),
    concurrency: o.concurrency ?? env.FETCH_CONCURRENCY,
    timeoutMs: o.timeoutMs ?? env.FETCH_TIMEOUT_MS,
    maxBytes: o.maxBytes ?? env.FETCH_MAX_BYTES,
    retries: o.retries ?? 3,
    backoffMs: o.backoffMs ?? 250,
    minResolution: o.minResolution ?? env.MIN_RESOLUTION,
    nearDuplicateDistance: o.nearDuplicateDistance ?? NEAR_DUPLICATE_DISTANCE,
    dataDir: o.dataDir ?? defaultDataDir(),
    clip: o.clip ?? true,
    getExif: o.getExif,
    extraPairs: o.extraPairs,
    clipPairs: o.clipPairs,
    runId: o.runId ?? null,
    signal: o.signal,
  };
}
