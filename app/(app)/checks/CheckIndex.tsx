'use client';
import Link from 'next/link';
import { useCheckSummariesQuery } from '@/components/hooks/useCheckSummariesQuery';
import { CHECKS } from '@/lib/checks';

/** Every automatic check with how many photos it failed, doubted or could not judge, has yet to judge, and how many reviewers overrode. */
export function CheckIndex() {
  const checks = useCheckSummariesQuery();
  return (
    <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
      <table className="w-full text-sm">
        <caption className="sr-only">Automatic checks</caption>
        <thead className="bg-slate-50 text-left">
          <tr>
            <th className="p-2">Check</th>
            <th className="p-2 text-right">Failed</th>
            <th className="p-2 text-right">Uncertain</th>
            <th className="p-2 text-right">Errors</th>
            <th
              className="p-2 text-right"
              title="Photos this check has not judged yet: a run still in progress, or a stage not run"
            >
              Not yet scored
            </th>
            <th className="p-2 text-right">Overridden</th>
            <th className="p-2">
              <span className="sr-only">Review</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {checks.data?.map((c) => (
            <tr key={c.check} className="border-t border-slate-100">
              <td className="p-2">
                <span className="font-medium">{CHECKS[c.check].label}</span>
                <span className="block text-xs text-slate-500">{CHECKS[c.check].description}</span>
              </td>
              <td className="p-2 text-right tabular-nums">{c.fail.toLocaleString('en-US')}</td>
              <td className="p-2 text-right tabular-nums">{c.uncertain.toLocaleString('en-US')}</td>
              <td className="p-2 text-right tabular-nums">{c.error.toLocaleString('en-US')}</td>
              <td
                className={`p-2 text-right tabular-nums ${c.notScored ? 'font-medium text-amber-800' : 'text-slate-500'}`}
              >
                {c.notScored.toLocaleString('en-US')}
              </td>
              <td className="p-2 text-right tabular-nums">{c.overridden.toLocaleString('en-US')}</td>
              <td className="p-2">
                <Link href={`/checks/${c.check}`} className="rounded border px-2 py-1 hover:bg-slate-100">
                  Review {CHECKS[c.check].label}
                </Link>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {checks.isLoading && <p className="p-3 text-sm text-slate-500">Loading…</p>}
      {checks.error && (
        <p role="alert" className="p-3 text-sm text-red-700">
          {checks.error.message}
        </p>
      )}
    </div>
  );
}
