import type { ReactNode } from 'react';
import { shareText as share } from '@/components/review/agreementText';
import type { Proportion } from '@/lib/stats/wilson';

export type AccuracyRow = { name: string; overall: Proportion; detail: Proportion };

/**
 * Each reviewer's accuracy on known answers (accounts, or photos in spot-checks), with Wilson 95% intervals: right on the
 * main call, and right on the detail (reason, problem) where both the reviewer and the answer name one.
 */
export function AccuracyTable({
  id,
  title,
  summary,
  intro,
  label,
  columns,
  rows,
  empty,
}: {
  /** The heading's id, which names the section. */
  id: string;
  title: string;
  /** After the title, in grey: how many known answers there are and how often they are served. */
  summary: ReactNode;
  intro: ReactNode;
  /** The table's accessible name. */
  label: string;
  columns: { overall: string; detail: string };
  rows: AccuracyRow[];
  /** Said instead of the table before anyone has answered. */
  empty: string;
}) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby={id}>
      <h2 id={id} className="font-medium">
        {title} <span className="font-normal text-slate-500">· {summary}</span>
      </h2>
      <p className="mb-3 text-xs text-slate-500">{intro}</p>
      {rows.length === 0 ? (
        <p className="text-sm text-slate-500">{empty}</p>
      ) : (
        <table className="w-full max-w-3xl text-sm" aria-label={label}>
          <thead className="text-left text-slate-500">
            <tr>
              <th className="px-2 py-1 font-normal">Reviewer</th>
              <th className="px-2 py-1 font-normal">{columns.overall}</th>
              <th className="px-2 py-1 font-normal">{columns.detail}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.name} className="border-t border-slate-100">
                <th scope="row" className="px-2 py-1 text-left font-normal">
                  <bdi>{r.name}</bdi>
                </th>
                <td className="px-2 py-1 tabular-nums">{share(r.overall)}</td>
                <td className="px-2 py-1 tabular-nums">{share(r.detail)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
