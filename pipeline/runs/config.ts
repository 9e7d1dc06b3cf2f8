// A run's configuration: what an admin may ask for (validated) and the resolved form stored on the run.
// Client-safe (the Runs page's form imports it): the defaults come from lib/settings.ts through ResolveDefaults.
import { z } from 'zod';
import { calendarDay } from '../../lib/calendarDay.ts';
import { ALL_STEPS } from '../analyze/checkNames.ts';
import { EXPORT_FORMATS, type ExportFormat } from '../export/files.ts';

export const STAGE_ORDER = ['ingest', 'analyze', 'clip', 'watermarks', 'export'] as const;
export type StageName = (typeof STAGE_ORDER)[number];

export const STAGE_LABELS: Record<StageName, string> = {
  ingest: 'Ingest',
  analyze: 'Fetch & analyze',
  clip: 'CLIP checks',
  watermarks: 'Watermarks',
  export: 'Export',
};

// The export stage owns its formats; re-exported here for the forms and commands that build a run.
export { EXPORT_FORMATS, type ExportFormat } from '../export/files.ts';

const day = calendarDay;
const unit = z.number().min(0).max(1);

export const thresholdsSchema = z
  .object({
    minResolution: z.number().int().min(1).max(100_000).optional(),
    nearDuplicateDistance: z.number().int().min(0).max(32).optional(),
    clipNonphotoFail: unit.optional(),
    clipNonphotoUncertain: unit.optional(),
    clipNonwholesomeFail: unit.optional(),
    clipNonwholesomeUncertain: unit.optional(),
    watermarkFail: unit.optional(),
    watermarkUncertain: unit.optional(),
    /** Accounts need this many fetched photos for the watermark check. */
    watermarkMinPhotos: z.number().int().min(3).max(10_000).optional(),
    /** Photos sampled per orientation for the watermark estimate. */
    watermarkSample: z.number().int().min(4).max(1024).optional(),
  })
  .strict();

export type Thresholds = Required<z.infer<typeof thresholdsSchema>>;
export const THRESHOLD_NAMES = Object.keys(thresholdsSchema.shape) as (keyof Thresholds)[];

const COLUMN_SET_NAMES = ['full', 'megalith'] as const;

const runInputObject = z
  .object({
    stages: z
      .array(z.string().regex(/^[a-z][a-z0-9-]*$/))
      .min(1)
      .max(10),
    /** Upload-date range for ingest, inclusive days (UTC). */
    from: day.optional(),
    to: day.optional(),
    licenses: z.array(z.number().int().min(0).max(10)).min(1).max(11).optional(),
    /** At most this many items per stage (photos, accounts, windows). */
    limit: z.number().int().min(1).max(100_000_000).optional(),
    batchSize: z.number().int().min(1).max(10_000).optional(),
    thresholds: thresholdsSchema.default({}),
    exportFormats: z.array(z.enum(EXPORT_FORMATS)).min(1).max(3).optional(),
    exportColumns: z.enum(COLUMN_SET_NAMES).optional(),
    /** Analyze steps (fetch runs too when duplicates are asked for); all by default. */
    checks: z
      .array(z.enum(ALL_STEPS as [string, ...string[]]))
      .min(1)
      .max(ALL_STEPS.length)
      .optional(),
    /** CLIP: also redo photos whose last CLIP result was an error. */
    retryClipErrors: z.boolean().optional(),
    /** Regroup duplicate clusters at the end even when nothing new was analyzed or embedded. */
    regroupDuplicates: z.boolean().optional(),
    /** Ingest's search windows: split above `cap` results, down to `minWindowSeconds`; `perPage` results per call. */
    crawl: z
      .object({
        cap: z.number().int().min(1).max(4000).optional(),
        minWindowSeconds: z
          .number()
          .int()
          .min(1)
          .max(86_400 * 365)
          .optional(),
        perPage: z.number().int().min(1).max(500).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

const checkInput = (v: z.output<typeof runInputObject>, ctx: z.RefinementCtx) => {
  if (v.from && v.to && v.from > v.to)
    ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
  if (new Set(v.stages).size !== v.stages.length)
    ctx.addIssue({ code: 'custom', path: ['stages'], message: 'a stage is listed twice' });
};

/** What the Runs page (and its API) may ask for. */
export const runInputSchema = runInputObject.superRefine(checkInput);

/** The command line may also name a folder on this machine for the export (the browser may not). */
export const localRunInputSchema = runInputObject
  .extend({ exportDir: z.string().min(1).max(4096).optional() })
  .strict()
  .superRefine(checkInput);

export type RunInput = z.input<typeof localRunInputSchema>;

export type ResolvedRunConfig = {
  stages: string[];
  from: string;
  to: string;
  licenses: number[];
  limit: number | null;
  batchSize: number | null;
  thresholds: Thresholds;
  exportFormats: ExportFormat[];
  exportColumns: (typeof COLUMN_SET_NAMES)[number];
  /** Export folder given on the command line; null = EXPORT_DIR or DATA_DIR/exports, then the export id. */
  exportDir: string | null;
  checks: string[];
  retryClipErrors: boolean;
  regroupDuplicates: boolean;
  crawl: { cap?: number; minWindowSeconds?: number; perPage?: number };
  /** Model and algorithm versions the stages will stamp their results with. */
  versions: Record<string, string>;
  resolvedAt: string;
};

/** The settings' licenses and thresholds (lib/settings.ts) fill what the request leaves out. */
export type ResolveDefaults = {
  licenses: number[];
  thresholds: Thresholds;
  versions?: Record<string, string>;
  now?: Date;
};

/** Fills every default so the stored configuration says exactly what the run did. Stages keep the canonical order. */
export function resolveRunConfig(
  input: z.output<typeof localRunInputSchema>,
  known: readonly string[],
  defaults: ResolveDefaults,
): ResolvedRunConfig {
  const unknown = input.stages.filter((s) => !known.includes(s));
  if (unknown.length)
    throw new z.ZodError([
      {
        code: 'custom',
        path: ['stages'],
        message: `unknown stage ${unknown.join(', ')} (known: ${known.join(', ')})`,
        input: input.stages,
      },
    ]);
  const thresholds = { ...defaults.thresholds, ...input.thresholds };
  // Checked on the merged values: a request may name one side and the settings give the other.
  for (const [u, f] of [
    ['clipNonphotoUncertain', 'clipNonphotoFail'],
    ['clipNonwholesomeUncertain', 'clipNonwholesomeFail'],
    ['watermarkUncertain', 'watermarkFail'],
  ] as const) {
    if (thresholds[u] > thresholds[f])
      throw new z.ZodError([
        {
          code: 'custom',
          path: ['thresholds', u],
          message: `must not exceed ${f} (${thresholds[f]})`,
          input: thresholds[u],
        },
      ]);
  }
  const checks = new Set(input.checks ?? ALL_STEPS);
  if (checks.has('duplicates')) checks.add('fetch');
  const now = defaults.now ?? new Date();
  return {
    stages: known.filter((s) => input.stages.includes(s)),
    from: input.from ?? '2004-01-01',
    to: input.to ?? now.toISOString().slice(0, 10),
    licenses: [...new Set(input.licenses ?? defaults.licenses)].sort((a, b) => a - b),
    limit: input.limit ?? null,
    batchSize: input.batchSize ?? null,
    thresholds,
    exportFormats: input.exportFormats ?? ['parquet'],
    exportColumns: input.exportColumns ?? 'full',
    exportDir: input.exportDir ?? null,
    checks: ALL_STEPS.filter((s) => checks.has(s)),
    retryClipErrors: input.retryClipErrors ?? false,
    regroupDuplicates: input.regroupDuplicates ?? false,
    crawl: input.crawl ?? {},
    versions: defaults.versions ?? {},
    resolvedAt: now.toISOString(),
  };
}

/** The run's upload-date range as instants (first and last millisecond, UTC). */
export function uploadDates(config: Pick<ResolvedRunConfig, 'from' | 'to'>): { from: Date; to: Date } {
  return { from: new Date(`${config.from}T00:00:00.000Z`), to: new Date(`${config.to}T23:59:59.999Z`) };
}

/** Unix seconds of the first and last second of the run's upload-date range. */
export function uploadRange(config: Pick<ResolvedRunConfig, 'from' | 'to'>): { from: number; to: number } {
  return {
    from: Date.parse(`${config.from}T00:00:00Z`) / 1000,
    to: Date.parse(`${config.to}T23:59:59Z`) / 1000,
  };
}
