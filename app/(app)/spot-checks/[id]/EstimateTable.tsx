import type { Estimate } from '@/lib/stats/spotEstimates';
import { estimateLabel } from '@/lib/stats/spotEstimates';

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

/** Megalith-10m's spot-check table, computed: count, share, 95% Wilson interval and the implied count in the population. */
export function EstimateTable({
  estimates,
  populationSize,
}: {
  estimates: Estimate[];
  populationSize: number;
}) {
  return (
    <table className="w-full text-sm" aria-label="Estimated share of each problem">
      <thead className="bg-slate-50 text-left">
        <tr>
          <th className="p-2">Label</th>
          <th className="p-2 text-right">Count</th>
          <th className="p-2 text-right">Share</th>
          <th className="p-2 text-right">95% interval</th>
          <th className="p-2 text-right">In the population ({populationSize.toLocaleString('en-US')})</th>
        </tr>
      </thead>
      <tbody>
        {estimates.map((e) => (
          <tr
            key={e.label}
            className={`border-t border-slate-100 ${e.label === 'any_problem' ? 'font-medium' : ''}`}
          >
            <th scope="row" className="p-2 text-left font-normal">
              {estimateLabel(e.label)}
            </th>
            <td className="p-2 text-right tabular-nums">
              {e.count}/{e.n}
            </td>
            <td className="p-2 text-right tabular-nums">{e.n ? pct(e.share) : '—'}</td>
            <td className="p-2 text-right tabular-nums">{e.n ? `${pct(e.low)}–${pct(e.high)}` : '—'}</td>
            <td className="p-2 text-right tabular-nums">
              {e.n
                ? `≈ ${e.populationCount.toLocaleString('en-US')} (${e.populationLow.toLocaleString('en-US')}–${e.populationHigh.toLocaleString('en-US')})`
                : '—'}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
