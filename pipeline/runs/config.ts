// A run's configuration: what an admin may ask for (validated) and the resolved form stored on the run.
import { z } from 'zod';
import { calendarDay } from '../../lib/calendarDay.ts';
import { EXPORT_FORMATS, type ExportFormat } from '../export/files.ts';

export const STAGE_ORDER = ['ingest', 'analyze', 'clip', 'watermarks', 'export'] as const;
export type StageName = (typeof STAGE_ORDER)[number];

export const STAGE_LABELS: Record<StageName, string> = {
  ingest: 'Ingest', analyze: 'Fetch & analyze', clip: 'CLIP checks', watermarks: 'Watermarks', export: 'Export',
};

// The export stage owns its formats; re-exported here for the forms and commands that build a run.
export { EXPORT_FORMATS, type ExportFormat } from '../export/files.ts';

const day = calendarDay;
const unit = z.number().min(0).max(1);

export const thresholdsSchema = z.object({
  minResolution: z.number().int().min(1).max(100_000).optional(),
  nearDuplicateDistance: z.number().int().min(0).max(32).optional(),
  clipNonphotoFail: unit.optional(),
  clipNonphotoUncertain: unit.optional(),
  clipNonwholesomeFail: unit.optional(),
  clipNonwholesomeUncertain: unit.optional(),
  watermarkFail: unit.optional(),
  watermarkUncertain: unit.optional(),
}).strict();

export type Thresholds = Required<z.infer<typeof thresholdsSchema>>;

export const DEFAULT_THRESHOLDS: Thresholds = {
  minResolution: 256, nearDuplicateDistance: 6,
  clipNonphotoFail: 0.8, clipNonphotoUncertain: 0.5, clipNonwholesomeFail: 0.8, clipNonwholesomeUncertain: 0.5,
  watermarkFail: 0.5, watermarkUncertain: 0.3,
};

export const runInputSchema = z.object({
  stages: z.array(z.string().regex(/^[a-z][a-z0-9-]*$/)).min(1).max(10),
  /** Upload-date range for ingest, inclusive days (UTC). */
  from: day.optional(),
  to: day.optional(),
  licenses: z.array(z.number().int().min(0).max(10)).min(1).max(11).optional(),
  /** At most this many items per stage (photos, accounts, windows). */
  limit: z.number().int().min(1).max(100_000_000).optional(),
  batchSize: z.number().int().min(1).max(10_000).optional(),
  thresholds: thresholdsSchema.default({}),
  exportFormats: z.array(z.enum(EXPORT_FORMATS)).min(1).max(3).optional(),
}).strict().superRefine((v, ctx) => {
  if (v.from && v.to && v.from > v.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must not be before from' });
  if (new Set(v.stages).size !== v.stages.length) ctx.addIssue({ code: 'custom', path: ['stages'], message: 'a stage is listed twice' });
  const t = v.thresholds;
  for (const [u, f] of [['clipNonphotoUncertain', 'clipNonphotoFail'], ['clipNonwholesomeUncertain', 'clipNonwholesomeFail'], ['watermarkUncertain', 'watermarkFail']] as const) {
    if ((t[u] ?? DEFAULT_THRESHOLDS[u]) > (t[f] ?? DEFAULT_THRESHOLDS[f])) ctx.addIssue({ code: 'custom', path: ['thresholds', u], message: `must not exceed ${f}` });
  }
});

export type RunInput = z.input<typeof runInputSchema>;

export type ResolvedRunConfig = {
  stages: string[];
  from: string;
  to: string;
  licenses: number[];
  limit: number | null;
  batchSize: number | null;
  thresholds: Thresholds;
  exportFormats: ExportFormat[];
  /** Model and algorithm versions the stages will stamp their results with. */
  versions: Record<string, string>;
  resolvedAt: string;
};

export type ResolveDefaults = { licenses: number[]; versions?: Record<string, string>; now?: Date };

/** Fills every default so the stored configuration says exactly what the run did. Stages keep the canonical order. */
export function resolveRunConfig(input: z.output<typeof runInputSchema>, known: readonly string[], defaults: ResolveDefaults): ResolvedRunConfig {
  const unknown = input.stages.filter((s) => !known.includes(s));
  if (unknown.length) throw new z.ZodError([{ code: 'custom', path: ['stages'], message: `unknown stage ${unknown.join(', ')} (known: ${known.join(', ')})`, input: input.stages }]);
  const now = defaults.now ?? new Date();
  return {
    stages: known.filter((s) => input.stages.includes(s)),
    from: input.from ?? '2004-01-01',
    to: input.to ?? now.toISOString().slice(0, 10),
    licenses: [...new Set(input.licenses ?? defaults.licenses)].sort((a, b) => a - b),
    limit: input.limit ?? null,
    batchSize: input.batchSize ?? null,
    thresholds: { ...DEFAULT_THRESHOLDS, ...input.thresholds },
    exportFormats: input.exportFormats ?? ['parquet'],
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
  return { from: Date.parse(`${config.from}T00:00:00Z`) / 1000, to: Date.parse(`${config.to}T23:59:59Z`) / 1000 };
}
