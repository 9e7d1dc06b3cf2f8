// Every environment variable Quarry reads, its default and its validation, in one place. The app, the CLI, workers
// and run configuration all read these; stage modules take their settings from here and declare no defaults.
import { blockedPortOf } from './fetchBlockedPorts.ts';
import { z } from 'zod';

const bool = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const csv = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);
const unit = z.coerce.number().min(0).max(1);

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    /** Shared PostgreSQL; when absent Quarry starts its own embedded server under DATA_DIR/postgres. */
    DATABASE_URL: z.string().url().optional(),
    /** Connections of the Prisma client's pool in each process. */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(200).default(10),
    DATA_DIR: z.string().default('./data'),
    /** Root only: a root-owned 0755 folder for the embedded PostgreSQL's binaries and clusters (lib/server/pgPlacement.ts). */
    QUARRY_PG_HOME: z.string().optional(),
    /** SQL migrations to apply (tests and packaging); default prisma/migrations under the working directory. */
    MIGRATIONS_DIR: z.string().optional(),
    /** Repository root the in-process worker loads the pipeline from; default the working directory. */
    QUARRY_ROOT: z.string().optional(),
    /** Port of the demo's Flickr simulator (its image URLs are stored with it). */
    DEMO_SIMULATOR_PORT: z.coerce.number().int().min(1).max(65535).default(4010),
    /** Where `quality --real` caches Debian packages and their variants; default ~/.cache/quarry. */
    QUARRY_REAL_CACHE: z.string().optional(),
    PORT: z.coerce.number().int().min(1).max(65535).default(3000),
    /** Address `npm start` and the demo listen on: loopback unless the operator opens it (e.g. 0.0.0.0 for a LAN). */
    HOST: z.string().trim().min(1).max(253).default('127.0.0.1'),
    AUTH_SECRET: z.string().min(16).optional(),
    /** Public URL behind a proxy (read by next-auth itself); unset: the address each request came to. */
    AUTH_URL: z.string().url().optional(),
    /** Reviewers and admins sign out after this many hours. */
    SESSION_MAX_AGE_HOURS: z.coerce.number().positive().default(12),
    /** Sign-in attempts per account from one address, per window (see lib/auth/loginRateLimit.ts). */
    LOGIN_MAX_ATTEMPTS: z.coerce.number().int().positive().default(10),
    /** Sign-in attempts from one address across all accounts, per window. */
    LOGIN_IP_MAX_ATTEMPTS: z.coerce.number().int().positive().default(50),
    /** Sign-in attempts on one account from all addresses, per window; an admin or `users unlock` lifts it. */
    LOGIN_ACCOUNT_MAX_ATTEMPTS: z.coerce.number().int().positive().default(50),
    LOGIN_WINDOW_MINUTES: z.coerce.number().positive().default(15),
    /**
     * Reverse proxies in front of Quarry that append to X-Forwarded-For. 0: none, so the login limits key on the
     * connection's own address and ignore forwarding headers (a client can forge them); N: the address N entries
     * from the right of X-Forwarded-For (lib/auth/clientAddress.ts). Set it only when Quarry is reachable solely
     * through those proxies.
     */
    TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),

    FLICKR_API_BASE: z
      .string()
      .url()
      .refine((u) => blockedPortOf(u) === null, {
        message: "names a port fetch() refuses (a Fetch standard 'bad port')",
      })
      .default('https://api.flickr.com/services/rest'),
    FLICKR_API_KEY: z.string().optional(),
    /** Requests per hour for the whole process (Flickr allows 3,600 per key). */
    FLICKR_RATE_LIMIT: z.coerce.number().positive().default(3600),
    FLICKR_LICENSES: csv.default(['7', '8', '9', '10']),
    /** host or host:port entries the fetcher may download from. */
    IMAGE_HOSTS: csv.default([
      'live.staticflickr.com',
      'farm1.staticflickr.com',
      'farm2.staticflickr.com',
      'farm3.staticflickr.com',
      'farm4.staticflickr.com',
      'farm5.staticflickr.com',
      'farm6.staticflickr.com',
      'farm7.staticflickr.com',
      'farm8.staticflickr.com',
      'farm9.staticflickr.com',
      'farm66.staticflickr.com',
    ]),
    FETCH_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
    FETCH_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
    FETCH_MAX_BYTES: z.coerce
      .number()
      .int()
      .positive()
      .default(20 * 1024 * 1024),
    /** Attempts after the first for a download that failed transiently, with exponential backoff from FETCH_BACKOFF_MS. */
    FETCH_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
    FETCH_BACKOFF_MS: z.coerce.number().int().min(0).max(60_000).default(250),
    /** Pixels a photo's shorter side needs; below it the photo fails the resolution check. */
    MIN_RESOLUTION: z.coerce.number().int().min(1).max(100_000).default(256),
    /** pHash bits two photos may differ by and still be near-duplicate candidates (pixel-verified after). */
    NEAR_DUPLICATE_DISTANCE: z.coerce.number().int().min(0).max(32).default(6),

    CLIP_MODEL_DIR: z.string().default('./models/clip'),
    CLIP_PROMPTS_FILE: z.string().optional(),
    CLIP_BATCH_SIZE: z.coerce.number().int().min(1).max(1024).default(32),
    /** 0 lets onnxruntime choose. */
    CLIP_THREADS: z.coerce.number().int().min(0).default(0),
    CLIP_EXECUTION_PROVIDER: z.enum(['cpu', 'cuda']).default('cpu'),
    /** Softmax probability of the non-photo classes at which a photo fails, or goes to review. */
    CLIP_NONPHOTO_FAIL: unit.default(0.8),
    CLIP_NONPHOTO_UNCERTAIN: unit.default(0.5),
    CLIP_NONWHOLESOME_FAIL: unit.default(0.8),
    CLIP_NONWHOLESOME_UNCERTAIN: unit.default(0.5),
    /** Cosine similarity of CLIP embeddings above which two photos are near-duplicates. */
    CLIP_NEAR_DUPLICATE: unit.default(0.95),
    /**
     * A memory guard, not a speed limit: above this many embeddings CLIP pairs stay out of the duplicate clusters. The
     * ANN index's builder holds ~0.3 KB per photo in RAM (int8 rows of the 256-d projection, keys, cells; 3.5 GB
     * peak at 10M on the ann bench) while it is updated and the pairs compared.
     */
    CLIP_NEAR_DUPLICATE_MAX_PHOTOS: z.coerce.number().int().min(0).default(20_000_000),

    /** Watermark detection: accounts need this many fetched photos; up to K sampled per orientation. */
    WATERMARK_MIN_PHOTOS: z.coerce.number().int().min(3).max(10_000).default(8),
    WATERMARK_SAMPLE: z.coerce.number().int().min(4).max(1024).default(64),
    WATERMARK_FAIL: unit.default(0.5),
    WATERMARK_UNCERTAIN: unit.default(0.3),
    /** account: a watermark verdict of fail excludes every photo of the account (Megalith-10m); photo: only marked photos. */
    WATERMARK_ACCOUNT_POLICY: z.enum(['account', 'photo']).default('account'),
    /** Photo correlation at or above which a photo carries its account's watermark. */
    WATERMARK_PHOTO_MATCH: z.coerce.number().min(-1).max(1).default(0.12),

    REVIEW_TOP_ACCOUNTS: z.coerce.number().int().positive().default(5000),
    REVIEW_LEASE_MINUTES: z.coerce.number().positive().default(10),
    /** Share of the top accounts decided twice, blind (a reproducible draw by nsid hash); 0 turns double review off. */
    REVIEW_DOUBLE_SHARE: z.coerce.number().min(0).max(1).default(0.1),
    /**
     * Chance that a claim serves a known-answer (gold) account the reviewer has not answered yet; also the share of
     * each new spot-check's sample made of known-answer photos.
     */
    REVIEW_GOLD_RATE: z.coerce.number().min(0).max(1).default(0.05),
    /** Run pg-boss workers inside the web server (the embedded default); off when dedicated workers run. */
    IN_PROCESS_WORKER: bool.default(true),
    WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
    EXPORT_DIR: z.string().optional(),

    /**
     * pg-boss's job heartbeat: a batch whose worker has not been heard from for this long (it crashed or was killed)
     * is failed and retried by another worker. Workers beat at half of it; pg-boss wants at least 10.
     */
    RUN_HEARTBEAT_SECONDS: z.coerce.number().int().min(10).max(3600).default(30),
    /** Attempts of a batch (first run included) before it is marked failed: pg-boss's retryLimit + 1. */
    RUN_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(4),
    /** Base delay of pg-boss's exponential retry backoff, and its ceiling. */
    RUN_RETRY_DELAY_SECONDS: z.coerce.number().int().min(1).max(3600).default(5),
    RUN_RETRY_DELAY_MAX_SECONDS: z.coerce.number().int().min(1).max(86_400).default(600),
    /** pg-boss's expiry: the longest one attempt of a batch may run before it is failed (and retried). */
    RUN_EXPIRE_SECONDS: z.coerce.number().int().min(10).max(86_400).default(3600),
    /** How often an idle worker polls its queues. */
    RUN_POLL_SECONDS: z.coerce.number().min(0.5).max(60).default(2),
  })
  .superRefine((v, ctx) => {
    // A score cannot be "uncertain" above the point where it already fails.
    for (const [u, f] of [
      ['CLIP_NONPHOTO_UNCERTAIN', 'CLIP_NONPHOTO_FAIL'],
      ['CLIP_NONWHOLESOME_UNCERTAIN', 'CLIP_NONWHOLESOME_FAIL'],
      ['WATERMARK_UNCERTAIN', 'WATERMARK_FAIL'],
    ] as const) {
      if (v[u] > v[f])
        ctx.addIssue({ code: 'custom', path: [u], message: `${u} (${v[u]}) must not exceed ${f} (${v[f]})` });
    }
  });

export type Settings = z.infer<typeof schema>;

/** Validates `source` (process.env by default); empty strings count as unset, so `.env` placeholders don't break it. */
export function loadSettings(source: Record<string, string | undefined> = process.env): Settings {
  const raw = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ''));
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

/** The process's settings. Tests and the demo's launcher change them in place (refreshSettings, Object.assign). */
export const settings: Settings = loadSettings();

/** Re-reads process.env into `settings`, for a launcher that sets variables after start-up (the demo's simulator). */
export function refreshSettings(): void {
  Object.assign(settings, loadSettings());
}

/**
 * The thresholds a run uses unless its request names others: the same variables the stages read, so
 * `MIN_RESOLUTION=512` changes a run started from the Runs page as much as one started from the CLI.
 */
export function thresholdDefaults(s: Settings = settings) {
  return {
    minResolution: s.MIN_RESOLUTION,
    nearDuplicateDistance: s.NEAR_DUPLICATE_DISTANCE,
    clipNonphotoFail: s.CLIP_NONPHOTO_FAIL,
    clipNonphotoUncertain: s.CLIP_NONPHOTO_UNCERTAIN,
    clipNonwholesomeFail: s.CLIP_NONWHOLESOME_FAIL,
    clipNonwholesomeUncertain: s.CLIP_NONWHOLESOME_UNCERTAIN,
    watermarkFail: s.WATERMARK_FAIL,
    watermarkUncertain: s.WATERMARK_UNCERTAIN,
    watermarkMinPhotos: s.WATERMARK_MIN_PHOTOS,
    watermarkSample: s.WATERMARK_SAMPLE,
  };
}

/** DATABASE_URL is set by the launcher after the embedded server starts, so read it late. */
export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url)
    throw new Error(
      'DATABASE_URL is not set: start Quarry with `npm start`, `npm run demo` or set DATABASE_URL',
    );
  return url;
}

export function dataDir(): string {
  return process.env.DATA_DIR ?? settings.DATA_DIR;
}
