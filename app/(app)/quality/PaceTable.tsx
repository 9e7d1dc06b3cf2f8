import { formatHours } from '@/components/ui/ReviewProgressPanel';
import type { ReviewQuality, ReviewerPace } from '@/lib/queries/reviewQuality';

const rate = (r: number | null) => (r === null ? '—' : r >= 10 ? r.toFixed(0) : r.toFixed(1));
const seconds = (s: number | null) => (s === null ? '—' : `${Math.round(s)} s`);

/** Decisions per hour, median seconds per account, and the reviewing time the top N still needs at the team's pace. */
export function PaceTable({ pace, topN }: { pace: ReviewQuality['pace']; topN: number }) {
  const rows: ReviewerPace[] = [pace.overall, ...pace.reviewers];
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="pace-h">
      <h2 id="pace-h" className="font-medium">
        Pace <span className="font-normal text-slate-500">· the last {pace.windowDays} days</span>
      </h2>
      <p className="mb-3 text-sm text-slate-600" data-testid="pace-summary">
        {pace.decisionsLeft.toLocaleString('en-US')} decisions left for the top {topN.toLocaleString('en-US')}{' '}
        (a double-reviewed account needs two) · time to finish at the team&apos;s pace:{' '}
        {pace.hoursLeft === null ? '— (no decisions yet)' : formatHours(pace.hoursLeft)}
      </p>
      <p className="mb-3 text-xs text-slate-500">
        Per hour counts clock hours with at least one decision; the median leaves out gaps over 15 minutes
        (breaks, not accounts).
      </p>
      <table className="w-full max-w-2xl text-sm" aria-label="Pace by reviewer">
        <thead className="text-left text-slate-500">
          <tr>
            <th className="px-2 py-1 font-normal">Reviewer</th>
            <th className="px-2 py-1 text-right font-normal">Decisions</th>
            <th className="px-2 py-1 text-right font-normal">Per hour</th>
            <th className="px-2 py-1 text-right font-normal">Median per account</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            <tr key={r.name + i} className={`border-t border-slate-100 ${i === 0 ? 'font-medium' : ''}`}>
              <th scope="row" className="px-2 py-1 text-left font-normal">
                <bdi>{r.name}</bdi>
              </th>
              <td className="px-2 py-1 text-right tabular-nums">{r.decisions.toLocaleString('en-US')}</td>
              <td className="px-2 py-1 text-right tabular-nums">{rate(r.perHour)}</td>
              <td className="px-2 py-1 text-right tabular-nums">{seconds(r.medianSeconds)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
