// One line per stage for the CLI, with the same figures the Runs page shows: done/total, rate, ETA, failures by kind.
import type { RunView, StageProgress } from '../../lib/queries/runs.ts';

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

export function describeStage(s: StageProgress): string {
  const parts = [`${s.stage.padEnd(10)} ${s.status.padEnd(9)} ${n(s.done)}/${n(s.total)}`];
  if (s.total > 0) parts.push(`${((100 * s.done) / s.total).toFixed(1)}%`);
  if (s.rate) parts.push(`${s.rate.toFixed(s.rate < 10 ? 2 : 0)}/s`);
  if (s.etaSeconds !== null) parts.push(`ETA ${formatDuration(s.etaSeconds)}`);
  const kinds = Object.entries(s.failuresByKind).sort((a, b) => b[1] - a[1]);
  if (s.failed || kinds.length)
    parts.push(
      `${n(s.failed)} failed${kinds.length ? ` (${kinds.map(([k, v]) => `${k} ${n(v)}`).join(', ')})` : ''}`,
    );
  if (s.lastError) parts.push(`last: ${s.lastError.slice(0, 120)}`);
  return parts.join(' · ');
}

export function describeRun(r: RunView): string[] {
  return [
    `run ${r.id} ${r.status}${r.error ? `: ${r.error}` : ''}`,
    ...r.stages.map((s) => `  ${describeStage(s)}`),
  ];
}
