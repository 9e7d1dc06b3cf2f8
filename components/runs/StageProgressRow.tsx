import type { StageProgress } from '@/lib/queries/runs';
import { STAGE_LABELS, type StageName } from '@/pipeline/runs/config';
import { failureKindLabel } from '@/lib/reasons';
import { NEAR_DUPLICATE_PARTS, type StageFinishing } from '@/lib/domain/stageFinishing';
import { DUPLICATES, describeFinishing } from '@/pipeline/runs/describe';

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

/**
 * One stage: a progress bar with done/total, rate, ETA, failures by kind and the last error; once its batches are all
 * in and its finishing step runs (the duplicate pass: index build, then the near-duplicate search), that step as a
 * phase of its own, with its counts, rate and ETA and a bar of its own.
 */
export function StageProgressRow({ s }: { s: StageProgress }) {
  const label = STAGE_LABELS[s.stage as StageName] ?? s.stage;
  const pct = s.total > 0 ? (100 * s.done) / s.total : s.status === 'done' ? 100 : 0;
  const kinds = Object.entries(s.failuresByKind).sort((a, b) => b[1] - a[1]);
  return (
    <li className="space-y-1" data-testid={`stage-${s.stage}`}>
      <div className="flex flex-wrap items-baseline justify-between gap-2 text-sm">
        <span className="font-medium">
          {label}{' '}
          <span className="font-normal text-slate-500">
            · {s.status}
            {s.finishing ? ' · finishing' : ''}
          </span>
        </span>
        <span className="tabular-nums text-slate-700">
          {n(s.done)}/{n(s.total)}
          {s.finishing ? ' · batches all done' : ''}
          {s.rate && !s.finishing ? ` · ${s.rate.toFixed(s.rate < 10 ? 2 : 0)}/s` : ''}
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
      {s.finishing && <FinishingStep label={label} f={s.finishing} />}
      {(s.failed > 0 || kinds.length > 0) && (
        <p className="text-xs text-red-800">
          {n(s.failed)} failed
          {kinds.length > 0 && `: ${kinds.map(([k, v]) => `${failureKindLabel(k)} ${n(v)}`).join(', ')}`}
        </p>
      )}
      {s.lastError && !s.finishing?.step && (
        <p className="truncate text-xs text-slate-600" title={s.lastError}>
          Last: {s.lastError}
        </p>
      )}
    </li>
  );
}

const PHASE: Record<StageFinishing['phase'], string> = {
  duplicates: 'grouping duplicates',
  'index-build': 'waiting for the similar-photo index build',
  'near-duplicates': 'comparing photos for near-duplicate pairs',
};

/** What the step counts while it counts: done of total, in what, and anything else worth a glance. */
function counted(
  step: StageFinishing | null,
): { done: number; total: number; unit: string; extra: string } | null {
  if (step?.phase === 'near-duplicates' && step.searched < step.total)
    return {
      done: step.searched,
      total: step.total,
      unit: NEAR_DUPLICATE_PARTS[step.unit ?? 'photos'][1],
      extra: ` · ${n(step.pairs)} new pairs`,
    };
  if (step?.phase === 'duplicates' && step.done < step.total)
    return { done: step.done, total: step.total, unit: DUPLICATES[step.step][1], extra: '' };
  return null;
}

/** The finishing step as a phase of the stage: what it is doing, its counts, rate and ETA, and its bar. */
function FinishingStep({ label, f }: { label: string; f: NonNullable<StageProgress['finishing']> }) {
  const step = f.step;
  // Figures while a count runs; the build wait and what follows a count (groups, clusters) are said in words.
  const c = counted(step);
  return (
    <div
      data-testid="stage-finishing"
      className="space-y-1 rounded border border-blue-200 bg-blue-50 px-2 py-1.5 text-xs text-blue-950"
    >
      <p className="flex flex-wrap items-baseline justify-between gap-x-3 gap-y-0.5">
        <span>
          <span className="font-medium">Finishing step: </span>
          {step
            ? step.phase === 'near-duplicates'
              ? NEAR_DUPLICATE_PARTS[step.unit ?? 'photos'][0]
              : PHASE[step.phase]
            : 'started (grouping duplicates); no progress noted yet'}
          {step?.phase === 'duplicates' ? `: ${DUPLICATES[step.step][0]}` : ''}
        </span>
        {c && (
          <span className="tabular-nums">
            {n(c.done)}/{n(c.total)} {c.unit}
            {f.rate ? ` · ${f.rate.toFixed(f.rate < 10 ? 2 : 0)}/s` : ''}
            {f.etaSeconds !== null ? ` · ETA ${formatEta(f.etaSeconds)}` : ''}
            {c.extra}
          </span>
        )}
      </p>
      {c && (
        <div
          role="progressbar"
          aria-label={`${label} finishing progress`}
          aria-valuemin={0}
          aria-valuemax={c.total}
          aria-valuenow={c.done}
          aria-valuetext={`${n(c.done)} of ${n(c.total)} ${c.unit}`}
          className="h-1.5 overflow-hidden rounded bg-blue-100"
        >
          <div
            className="h-full bg-blue-600 transition-[width] duration-500"
            style={{ width: `${Math.min(100, f.percent ?? 0)}%` }}
          />
        </div>
      )}
      {step && !c && <p className="break-words text-blue-900">{describeFinishing(step)}</p>}
    </div>
  );
}
