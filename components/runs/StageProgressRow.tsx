import type { StageProgress } from '@/lib/queries/runs';
import { STAGE_LABELS, type StageName } from '@/pipeline/runs/config';
import { failureKindLabel } from '@/lib/reasons';

const n = (v: number) => v.toLocaleString('en-US');

export function formatEta(seconds: number): string {
  const s = Math.round(seconds);
  if (s >= 3600) return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
  if (s >= 60) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${s}s`;
}

const BAR: Record<StageProgress['status'], string> = {
  pending: 'bg-slate-300',
  active: 'bg-blue-600',
  done: 'bg-emerald-600',
  failed: 'bg-red-600',
  cancelled: 'bg-amber-500',
};

/** One stage: a progress bar with done/total, rate, ETA, failures by kind and the last error. */
export function StageProgressRow({ s }: { s: StageProgress }) {
  const label = STAGE_LABELS[s.stage as StageName] ?? s.stage;
  const pct = s.total > 0 ? (100 * s.done) / s.total : s.status === 'done' ? 100 : 0;
  const kinds = Object.entries(s.failuresByKind).sort((a, b) => b[1] - a[1]);
  return (
    <li className="space-y-1" data-testid={`stage-${s.stage}`}>
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span className="font-medium">
          {label} <span className="font-normal text-slate-500">· {s.status}</span>
        </span>
        <span className="tabular-nums text-slate-700">
          {n(s.done)}/{n(s.total)}
          {s.rate ? ` · ${s.rate.toFixed(s.rate < 10 ? 2 : 0)}/s` : ''}
          {s.etaSeconds !== null ? ` · ETA ${formatEta(s.etaSeconds)}` : ''}
        </span>
      </div>
      <div
        role="progressbar"
        aria-label={`${label} progress`}
        aria-valuemin={0}
        aria-valuemax={s.total}
        aria-valuenow={s.done}
        aria-valuetext={`${n(s.done)} of ${n(s.total)}`}
        className="h-2.5 overflow-hidden rounded bg-slate-100"
      >
        <div
          className={`h-full ${BAR[s.status]} transition-[width] duration-500`}
          style={{ width: `${Math.min(100, pct)}%` }}
        />
      </div>
      {(s.failed > 0 || kinds.length > 0) && (
        <p className="text-xs text-red-800">
          {n(s.failed)} failed
          {kinds.length > 0 && `: ${kinds.map(([k, v]) => `${failureKindLabel(k)} ${n(v)}`).join(', ')}`}
        </p>
      )}
      {s.lastError && (
        <p className="truncate text-xs text-slate-600" title={s.lastError}>
          Last: {s.lastError}
        </p>
      )}
    </li>
  );
}
