// The one place a stage gets its settings: a function of the run's configuration (thresholds, options) and the
// process's settings (lib/settings.ts: hosts, timeouts, model folder…). Every stage adapter calls it, so a run
// started from the Runs page, the CLI or the demo does exactly the same work.
import path from 'node:path';
import { dataDir, settings as current, thresholdDefaults, type Settings } from '../../lib/settings.ts';
import type { AnalyzeSettings } from '../analyze/options.ts';
import { flickrExifCall } from '../checks/flickrExif.ts';
import { clipConfig, type ClipConfig } from '../clip/config.ts';
import { createAllowlist } from '../fetch/allowlist.ts';
import { createFlickrClient, type FlickrClient } from '../flickr/client.ts';
import type { IngestConfig } from '../ingest/crawl.ts';
import { watermarkConfig, type WatermarkConfig } from '../watermarks/config.ts';
import {
  resolveRunConfig,
  runInputSchema,
  STAGE_ORDER,
  uploadRange,
  type ResolvedRunConfig,
} from './config.ts';

export type StageSettings = {
  ingest: IngestConfig;
  /** Fetch, per-photo checks and duplicates (without the run id and signal, which each batch adds). */
  analyze: Omit<AnalyzeSettings, 'runId' | 'signal'>;
  clip: ClipConfig;
  watermarks: WatermarkConfig & { dataDir: string };
  /** Null without FLICKR_API_KEY (ingest's preflight says so). */
  flickr: FlickrClient | null;
};

const clients = new Map<string, FlickrClient>();

/** One client per key and endpoint per process: its rate limiter keeps every batch together under Flickr's budget. */
function flickrClient(s: Settings): FlickrClient | null {
  if (!s.FLICKR_API_KEY) return null;
  const key = `${s.FLICKR_API_KEY}\n${s.FLICKR_API_BASE}\n${s.FLICKR_RATE_LIMIT}`;
  let client = clients.get(key);
  if (!client)
    clients.set(
      key,
      (client = createFlickrClient({
        apiKey: s.FLICKR_API_KEY,
        apiBase: s.FLICKR_API_BASE,
        ratePerHour: s.FLICKR_RATE_LIMIT,
      })),
    );
  return client;
}

export function stageSettings(config: ResolvedRunConfig, s: Settings = current): StageSettings {
  // A run stored before a threshold existed takes the setting's value for it.
  const t = { ...thresholdDefaults(s), ...config.thresholds };
  const flickr = flickrClient(s);
  const base = dataDir();
  const data = s === current ? base : s.DATA_DIR;
  return {
    ingest: { licenses: config.licenses, ...uploadRange(config), ...(config.crawl ?? {}) },
    analyze: {
      allowlist: createAllowlist(s.IMAGE_HOSTS),
      concurrency: s.FETCH_CONCURRENCY,
      timeoutMs: s.FETCH_TIMEOUT_MS,
      maxBytes: s.FETCH_MAX_BYTES,
      retries: s.FETCH_RETRIES,
      backoffMs: s.FETCH_BACKOFF_MS,
      minResolution: t.minResolution,
      nearDuplicateDistance: t.nearDuplicateDistance,
      dataDir: data,
      // The CLIP crop is stored while the image is decoded anyway, so a later CLIP stage need not fetch again.
      clip: true,
      // Originals the owner hides carry no EXIF in the image: Flickr's getExif answers for them.
      getExif: flickr ? flickrExifCall(flickr) : undefined,
    },
    clip: {
      ...clipConfig(s),
      dataDir: path.resolve(data),
      thresholds: {
        nonphoto: { fail: t.clipNonphotoFail, uncertain: t.clipNonphotoUncertain },
        nonwholesome: { fail: t.clipNonwholesomeFail, uncertain: t.clipNonwholesomeUncertain },
      },
    },
    watermarks: {
      ...watermarkConfig(s),
      dataDir: data,
      fail: t.watermarkFail,
      uncertain: t.watermarkUncertain,
      minPhotos: t.watermarkMinPhotos,
      sample: t.watermarkSample,
    },
    flickr,
  };
}

/** The settings a run with every default would use (tests, and tools that work outside a run on one step). */
export function defaultStageSettings(s: Settings = current): StageSettings {
  const config = resolveRunConfig(runInputSchema.parse({ stages: [...STAGE_ORDER] }), STAGE_ORDER, {
    licenses: s.FLICKR_LICENSES.map(Number),
    thresholds: thresholdDefaults(s),
  });
  return stageSettings(config, s);
}
