// Analyze stage: fetch images, run the per-photo checks, then the global duplicate step; resumable by check version.
import { countCheckPending, listCheckPending } from '../../lib/queries/analysis.ts';
import { addTally, emptyTally, type FailureTally } from '../../lib/domain/failureTally.ts';
import { runFetchBatch, runFetchStage } from '../fetch/stage.ts';
import { PHOTO_CHECKS, type AnalyzeStep, type PhotoCheck } from './checkNames.ts';
import { runDuplicates, type DuplicatesSummary } from './duplicatesStep.ts';
import { resolveSettings, type AnalyzeOverrides, type AnalyzeSettings } from './options.ts';
import { checkVersions, runCheckBatch } from './photoChecks.ts';

export type AnalyzeProgress = { step: AnalyzeStep; done: number; total: number } & FailureTally;

export type AnalyzeOptions = AnalyzeOverrides & {
  steps: readonly AnalyzeStep[];
  /** At most this many photos per step. */
  limit?: number;
  pageSize?: number;
  onProgress?: (p: AnalyzeProgress) => void;
};

export type AnalyzeReport = { steps: Partial<Record<AnalyzeStep, AnalyzeProgress>>; duplicates?: DuplicatesSummary };

async function runPhotoCheck(check: PhotoCheck, s: AnalyzeSettings, o: AnalyzeOptions): Promise<AnalyzeProgress> {
  const { name, version } = checkVersions(s)[check];
  const total = Math.min(await countCheckPending(name, version), o.limit ?? Infinity);
  const p: AnalyzeProgress = { step: check, done: 0, total, ok: 0, failed: 0, failuresByKind: {} };
  let after: string | null = null;
  while (p.done < total) {
    const ids = await listCheckPending(name, version, after, Math.min(o.pageSize ?? 500, total - p.done));
    if (ids.length === 0) break;
    after = ids[ids.length - 1];
    addTally(p, await runCheckBatch(ids, check, s));
    p.done += ids.length;
    o.onProgress?.({ ...p });
  }
  return p;
}

/** Runs the chosen steps in order: fetch, resolution, exif, text, duplicates. */
export async function runAnalyze(o: AnalyzeOptions): Promise<AnalyzeReport> {
  const s = resolveSettings(o);
  const report: AnalyzeReport = { steps: {} };
  if (o.steps.includes('fetch')) {
    const r = await runFetchStage(s, { limit: o.limit, pageSize: o.pageSize, onProgress: (p) => o.onProgress?.({ step: 'fetch', ...p }) });
    report.steps.fetch = { step: 'fetch', ...r };
  }
  for (const check of PHOTO_CHECKS) {
    if (o.steps.includes(check)) report.steps[check] = await runPhotoCheck(check, s, o);
  }
  if (o.steps.includes('duplicates')) {
    o.onProgress?.({ step: 'duplicates', done: 0, total: 1, ok: 0, failed: 0, failuresByKind: {} });
    report.duplicates = await runDuplicates(s);
    report.steps.duplicates = { step: 'duplicates', done: 1, total: 1, ok: report.duplicates.photos - report.duplicates.duplicates, failed: report.duplicates.duplicates, failuresByKind: { duplicate: report.duplicates.duplicates } };
  }
  return report;
}

/**
 * Job-runner entry for one batch of photo ids: fetch (when asked), then each per-photo check.
 * Duplicates are global: call runDuplicates once after every batch is done.
 */
export async function runAnalyzeBatch(photoIds: string[], steps: readonly AnalyzeStep[], overrides: AnalyzeOverrides = {}): Promise<FailureTally> {
  const s = resolveSettings(overrides);
  const total = emptyTally();
  if (steps.includes('fetch')) addTally(total, await runFetchBatch(photoIds, s));
  for (const check of PHOTO_CHECKS) if (steps.includes(check)) addTally(total, await runCheckBatch(photoIds, check, s));
  return total;
}

export { runDuplicates } from './duplicatesStep.ts';
export { resolveSettings } from './options.ts';
