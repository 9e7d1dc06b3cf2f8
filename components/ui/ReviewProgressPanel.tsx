import type { ReviewProgress } from '@/lib/queries/reviewProgress';
import { SplitBar } from '@/components/charts/SplitBar';

/** "About 3 h 20 min": reviewing time at the current pace. */
export function formatHours(h: number): string {
  if (h <= 0) return 'none';
  const minutes = Math.round(h * 60);
  if (minutes < 60) return `about ${Math.max(1, minutes)} min`;
  const whole = Math.floor(minutes / 60);
  return `about ${whole.toLocaleString('en-US')} h${minutes % 60 && whole < 10 ? ` ${minutes % 60} min` : ''}`;
}

const rate = (r: number | null) => (r === null ? '—' : r >= 10 ? r.toFixed(0) : r.toFixed(1));

/** Review progress of the top accounts: decided of total, by reviewer, decisions per hour and the time left at that pace. */
export function ReviewProgressPanel({ p }: { p: ReviewProgress }) {
  const left = p.total - p.decided;
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="review-h">
      <h2 id="review-h" className="mb-1 font-medium">
        Review progress{' '}
        <span className="font-normal text-slate-500">
          · the top {p.topN.toLocaleString('en-US')} accounts by rank
          {p.total < p.topN ? ` (${p.total.toLocaleString('en-US')} so far)` : ''}
        </span>
      </h2>
      <p className="mb-3 text-sm text-slate-600" data-testid="review-progress">
        <strong className="tabular-nums">{p.decided.toLocaleString('en-US')}</strong> of{' '}
        <span className="tabular-nums">{p.total.toLocaleString('en-US')}</span> decided
        {p.total ? ` (${((100 * p.decided) / p.total).toFixed(1)}%)` : ''} · {left.toLocaleString('en-US')}{' '}
        left
        {p.perHour !== null ? (
          <>
            {' '}
            · {rate(p.perHour)} decisions per hour · time left at that pace:{' '}
            {p.hoursLeft === null ? '—' : formatHours(p.hoursLeft)}
          </>
        ) : left ? (
          ' · no decisions in the last week to measure a pace'
        ) : (
          ''
        )}
      </p>
      <SplitBar
        label="Top accounts by review status"
        parts={[
          { label: 'Approved', value: p.approved, className: 'bg-emerald-600' },
          { label: 'Rejected', value: p.rejected, className: 'bg-red-500' },
          { label: 'Not yet decided', value: left, className: 'bg-slate-300' },
        ]}
      />
      {p.reviewers.length > 0 && (
        <table className="mt-3 w-full max-w-xl text-sm">
          <caption className="sr-only">Decisions by reviewer</caption>
          <thead className="text-left text-slate-500">
            <tr>
              <th className="py-1 font-normal">Reviewer</th>
              <th className="py-1 text-right font-normal">Accounts decided</th>
              <th className="py-1 text-right font-normal">Decisions per hour</th>
            </tr>
          </thead>
          <tbody>
            {p.reviewers.map((r) => (
              <tr key={r.name} className="border-t border-slate-100">
                <td className="py-1">
                  <bdi>{r.name}</bdi>
                </td>
                <td className="py-1 text-right tabular-nums">{r.decided.toLocaleString('en-US')}</td>
                <td className="py-1 text-right tabular-nums">{rate(r.perHour)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p className="mt-2 text-xs text-slate-500">
        Pace: decisions that still stand (not undone) per hour in which someone reviewed, over the last{' '}
        {p.windowDays} days.
      </p>
    </section>
  );
}
