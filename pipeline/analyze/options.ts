// The analyze stage's settings; runs/stageSettings.ts makes them from the run's configuration and lib/settings.ts.
import type { FlickrExifCall } from '../checks/exifRead.ts';
import type { ExtraPair } from '../checks/duplicates.ts';
import type { ClipPairSource } from '../clip/nearDuplicates.ts';
import type { HostAllowlist } from '../fetch/allowlist.ts';

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
