import { z } from 'zod';

const bool = z.enum(['0', '1', 'true', 'false']).transform((v) => v === '1' || v === 'true');
const csv = z.string().transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

const schema = z.object({
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  /** Shared PostgreSQL; when absent Quarry starts its own embedded server under DATA_DIR/postgres. */
  DATABASE_URL: z.string().url().optional(),
  DATA_DIR: z.string().default('./data'),
  PORT: z.coerce.number().int().min(1).max(65535).default(3000),
  /** Address `npm start` and the demo listen on: loopback unless the operator opens it (e.g. 0.0.0.0 for a LAN). */
  HOST: z.string().trim().min(1).max(253).default('127.0.0.1'),
  AUTH_SECRET: z.string().min(16).optional(),
  /** Reviewers and admins sign out after this many hours. */
  SESSION_MAX_AGE_HOURS: z.coerce.number().positive().default(12),
  /** Sign-in attempts per account from one address, per window (see lib/auth/loginRateLimit.ts). */
  LOGIN_MAX_ATTEMPTS: z.coerce.number().int().positive().default(10),
  /** Sign-in attempts from one address across all accounts, per window. */
  LOGIN_IP_MAX_ATTEMPTS: z.coerce.number().int().positive().default(50),
  /** Sign-in attempts on one account from all addresses, per window; an admin or `users unlock` lifts it. */
  LOGIN_ACCOUNT_MAX_ATTEMPTS: z.coerce.number().int().positive().default(50),
  LOGIN_WINDOW_MINUTES: z.coerce.number().positive().default(15),

  FLICKR_API_BASE: z.string().url().default('https://api.flickr.com/services/rest'),
  FLICKR_API_KEY: z.string().optional(),
  /** Requests per hour for the whole process (Flickr allows 3,600 per key). */
  FLICKR_RATE_LIMIT: z.coerce.number().positive().default(3600),
  FLICKR_LICENSES: csv.default(['7', '8', '9', '10']),
  /** host or host:port entries the fetcher may download from. */
  IMAGE_HOSTS: csv.default(['live.staticflickr.com', 'farm1.staticflickr.com', 'farm2.staticflickr.com',
    'farm3.staticflickr.com', 'farm4.staticflickr.com', 'farm5.staticflickr.com', 'farm6.staticflickr.com',
    'farm7.staticflickr.com', 'farm8.staticflickr.com', 'farm9.staticflickr.com', 'farm66.staticflickr.com']),
  FETCH_CONCURRENCY: z.coerce.number().int().min(1).max(256).default(16),
  FETCH_TIMEOUT_MS: z.coerce.number().int().positive().default(30_000),
  FETCH_MAX_BYTES: z.coerce.number().int().positive().default(20 * 1024 * 1024),
  MIN_RESOLUTION: z.coerce.number().int().positive().default(256),

  CLIP_MODEL_DIR: z.string().default('./models/clip'),
  CLIP_PROMPTS_FILE: z.string().optional(),
  CLIP_BATCH_SIZE: z.coerce.number().int().positive().default(32),
  /** 0 lets onnxruntime choose. */
  CLIP_THREADS: z.coerce.number().int().min(0).optional(),
  CLIP_EXECUTION_PROVIDER: z.enum(['cpu', 'cuda']).default('cpu'),
  /** Softmax probability of the non-photo classes at which a photo fails, or goes to review. */
  CLIP_NONPHOTO_FAIL: z.coerce.number().min(0).max(1).default(0.8),
  CLIP_NONPHOTO_UNCERTAIN: z.coerce.number().min(0).max(1).default(0.5),
  CLIP_NONWHOLESOME_FAIL: z.coerce.number().min(0).max(1).default(0.8),
  CLIP_NONWHOLESOME_UNCERTAIN: z.coerce.number().min(0).max(1).default(0.5),
  /** Cosine similarity of CLIP embeddings above which two photos are near-duplicates. */
  CLIP_NEAR_DUPLICATE: z.coerce.number().min(0).max(1).default(0.95),
  CLIP_NEAR_DUPLICATE_MAX_PHOTOS: z.coerce.number().int().min(0).default(250_000),

  /** Watermark detection: accounts need this many fetched photos; up to K sampled per orientation. */
  WATERMARK_MIN_PHOTOS: z.coerce.number().int().min(2).default(8),
  WATERMARK_SAMPLE: z.coerce.number().int().min(2).max(512).default(64),
  WATERMARK_FAIL: z.coerce.number().min(0).max(1).default(0.5),
  WATERMARK_UNCERTAIN: z.coerce.number().min(0).max(1).default(0.3),
  /** account: a watermark verdict of fail excludes every photo of the account (Megalith-10m); photo: only marked photos. */
  WATERMARK_ACCOUNT_POLICY: z.enum(['account', 'photo']).default('account'),
  WATERMARK_PHOTO_MATCH: z.coerce.number().min(0).max(1).default(0.12),

  REVIEW_TOP_ACCOUNTS: z.coerce.number().int().positive().default(5000),
  REVIEW_LEASE_MINUTES: z.coerce.number().positive().default(10),
  /** Share of the top accounts decided twice, blind (a reproducible draw by nsid hash); 0 turns double review off. */
  REVIEW_DOUBLE_SHARE: z.coerce.number().min(0).max(1).default(0.1),
  /** Chance that a claim serves a known-answer (gold) account the reviewer has not answered yet. */
  REVIEW_GOLD_RATE: z.coerce.number().min(0).max(1).default(0.05),
  /** Run pg-boss workers inside the web server (the embedded default); off when dedicated workers run. */
  IN_PROCESS_WORKER: bool.default(true),
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(2),
  EXPORT_DIR: z.string().optional(),
});

export type Env = z.infer<typeof schema>;

function load(): Env {
  const parsed = schema.safeParse(process.env);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`Invalid environment:\n${lines.join('\n')}`);
  }
  return parsed.data;
}

export const env: Env = load();

/** Re-reads process.env into `env`, for a launcher that sets variables after start-up (the demo's simulator). */
export function refreshEnv(): void {
  Object.assign(env, load());
}

/** DATABASE_URL is set by the launcher after the embedded server starts, so read it late. */
export function databaseUrl(): string {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is not set: start Quarry with `npm start`, `npm run demo` or set DATABASE_URL');
  return url;
}

export function dataDir(): string {
  return process.env.DATA_DIR ?? env.DATA_DIR;
}
