// One line per stage for the CLI, with the same figures the Runs page shows: done/total, rate, ETA, failures by kind.
import type { RunView, StageProgress } from '../../lib/queries/runs.ts';
import {
  type DuplicatesStep,
  finishingFigures,
  NEAR_DUPLICATE_PARTS,
  type StageFinishing,
} from '../../lib/domain/stageFinishing.ts';

/** 75 → "1m15s"; the CLI's progress bars use it too. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (h > 0) return `${h}h${String(m).padStart(2, '0')}m`;
  if (m > 0) return `${m}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

const n = (v: number) => v.toLocaleString('en-US');

export const DUPLICATES: Record<DuplicatesStep, [string, string]> = {
  pairs: ['checking near-duplicate candidates on thumbnails', 'pairs'],
  crops: ['checking crop candidates on thumbnails', 'pairs'],
  results: ['writing duplicate verdicts', 'photos'],
};

/** "near-duplicates: 1,200/10,000 new photos searched · 12.0% · 40/s · ETA 3m40s · 35 new pairs", and the like. */
export function describeFinishing(f: StageFinishing): string {
  if (f.phase === 'index-build') return f.message;
  if (f.phase === 'duplicates') {
    const [what, unit] = DUPLICATES[f.step];
    const { percent, rate, etaSeconds } = finishingFigures(f);
    const parts = [`duplicates: ${what}: ${n(f.done)}/${n(f.total)} ${unit}`];
    if (percent !== null) parts.push(`${percent.toFixed(1)}%`);
    if (rate) parts.push(`${rate.toFixed(rate < 10 ? 2 : 0)}/s`);
    if (etaSeconds !== null) parts.push(`ETA ${formatDuration(etaSeconds)}`);
    return parts.join(' · ');
  }
  // The cells (or the new photos' search) are the long part; what follows a count has none to time it by: fitting the
  // cells after the embeddings are read; after the cells, the photos embedded since compared in their nearest cells;
  // at the end the groups' completion and the clusters (seconds to minutes).
  const unit = f.unit ?? 'photos';
  const counts = NEAR_DUPLICATE_PARTS[unit][1];
  if (f.searched >= f.total)
    return unit === 'read'
      ? `near-duplicates: all ${n(f.total)} ${counts}; fitting the cells`
      : `near-duplicates: all ${n(f.total)} ${counts}, ${n(f.pairs)} new pairs; ${unit === 'cells' ? 'comparing photos embedded since, ' : ''}completing groups and updating duplicate clusters`;
  const { percent, rate, etaSeconds } = finishingFigures(f);
  const parts = [`near-duplicates: ${n(f.searched)}/${n(f.total)} ${counts}`];
  if (percent !== null) parts.push(`${percent.toFixed(1)}%`);
  if (rate) parts.push(`${rate.toFixed(rate < 10 ? 2 : 0)}/s`);
  if (etaSeconds !== null) parts.push(`ETA ${formatDuration(etaSeconds)}`);
  parts.push(`${n(f.pairs)} new pairs`);
  return parts.join(' · ');
}

export function describeStage(s: StageProgress): string {
  const parts = [`${s.stage.padEnd(10)} ${s.status.padEnd(9)} ${n(s.done)}/${n(s.total)}`];
  if (s.total > 0) parts.push(`${((100 * s.done) / s.total).toFixed(1)}%`);
  if (s.rate && !s.finishing) parts.push(`${s.rate.toFixed(s.rate < 10 ? 2 : 0)}/s`);
  if (s.etaSeconds !== null) parts.push(`ETA ${formatDuration(s.etaSeconds)}`);
  // Its batches all in, the stage's finishing step is what runs now: its own line, not the batches' "ETA 0s".
  if (s.finishing)
    parts.push(
      `finishing: ${s.finishing.step ? describeFinishing(s.finishing.step) : 'started, no progress noted yet'}`,
    );
  const kinds = Object.entries(s.failuresByKind).sort((a, b) => b[1] - a[1]);
  if (s.failed || kinds.length)
    parts.push(
      `${n(s.failed)} failed${kinds.length ? ` (${kinds.map(([k, v]) => `${k} ${n(v)}`).join(', ')})` : ''}`,
    );
  // A finishing step's note is its progress line, shown above in full.
  if (s.lastError && !s.finishing?.step) parts.push(`last: ${s.lastError.slice(0, 120)}`);
  return parts.join(' · ');
}

export function describeRun(r: RunView): string[] {
  return [
    `run ${r.id} ${r.status}${r.error ? `: ${r.error}` : ''}`,
    ...r.stages.map((s) => `  ${describeStage(s)}`),
  ];
}
