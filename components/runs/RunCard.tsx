'use client';
import { useRunActionMutation } from '@/components/hooks/useRunMutations';
import type { RunView } from '@/lib/queries/runs';
import { StageProgressRow } from './StageProgressRow';

const BADGE: Record<RunView['status'], string> = {
  queued: 'bg-slate-100 text-slate-800',
  running: 'bg-blue-100 text-blue-900',
  completed: 'bg-emerald-100 text-emerald-900',
  failed: 'bg-red-100 text-red-900',
  cancelled: 'bg-amber-100 text-amber-900',
};

/** A run: status, per-stage progress, the buttons its state allows, and its resolved configuration. */
export function RunCard({ run }: { run: RunView }) {
  const action = useRunActionMutation();
  const live = run.status === 'queued' || run.status === 'running';
  const failedBatches = run.stages.some((s) => s.batches.failed > 0);
  const title = `Run ${run.id.slice(0, 8)}`;
  const act = (a: 'cancel' | 'resume' | 'retry-failed') => action.mutate({ id: run.id, action: a });
  return (
    <article
      className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
      aria-label={title}
      data-run-id={run.id}
    >
      <header className="flex flex-wrap items-center justify-between gap-2">
        <div>
          <h3 className="font-medium">
            {title}{' '}
            <span
              className={`ml-1 rounded px-2 py-0.5 text-xs ${BADGE[run.status]}`}
              data-testid="run-status"
            >
              {run.status}
            </span>
          </h3>
          <p className="text-xs text-slate-500">
            Started {new Date(run.createdAt).toLocaleString()}
            {run.createdBy ? (
              <>
                {' '}
                by <bdi>{run.createdBy}</bdi>
              </>
            ) : (
              ' from the command line'
            )}
            {run.finishedAt ? ` · ended ${new Date(run.finishedAt).toLocaleString()}` : ''}
          </p>
        </div>
        <div className="flex gap-2">
          {live && (
            <button
              type="button"
              onClick={() => act('cancel')}
              disabled={action.isPending}
              className="rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50"
            >
              Cancel
            </button>
          )}
          {run.status === 'cancelled' && (
            <button
              type="button"
              onClick={() => act('resume')}
              disabled={action.isPending}
              className="rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50"
            >
              Resume
            </button>
          )}
          {(run.status === 'failed' || (live && failedBatches)) && (
            <button
              type="button"
              onClick={() => act('retry-failed')}
              disabled={action.isPending}
              className="rounded border border-slate-300 px-3 py-1 text-sm hover:bg-slate-50"
            >
              Retry failed
            </button>
          )}
        </div>
      </header>
      {run.error && run.status !== 'cancelled' && (
        <p className="rounded bg-red-50 px-2 py-1 text-sm text-red-900">{run.error}</p>
      )}
      {action.error && (
        <p role="alert" className="text-sm text-red-800">
          {action.error.message}
        </p>
      )}
      <ol className="space-y-3">
        {run.stages.map((s) => (
          <StageProgressRow key={s.stage} s={s} />
        ))}
      </ol>
      <details className="text-sm">
        <summary className="cursor-pointer text-slate-600">Resolved configuration</summary>
        <pre className="mt-2 overflow-x-auto rounded bg-slate-50 p-2 text-xs">
          {JSON.stringify(run.config, null, 2)}
        </pre>
      </details>
    </article>
  );
}
