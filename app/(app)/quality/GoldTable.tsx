import { percent, shareText as share } from '@/components/review/agreementText';
import type { GoldScore } from '@/lib/queries/gold';

/** Each reviewer's accuracy on known-answer accounts, with Wilson 95% intervals. */
export function GoldTable({
  accounts,
  reviewers,
  rate,
}: {
  accounts: number;
  reviewers: GoldScore[];
  rate: number;
}) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="gold-h">
      <h2 id="gold-h" className="font-medium">
        Known answers{' '}
        <span className="font-normal text-slate-500">
          · {accounts.toLocaleString('en-US')} {accounts === 1 ? 'account' : 'accounts'}, served at{' '}
          {percent(rate)} of claims
        </span>
      </h2>
      <p className="mb-3 text-xs text-slate-500">
        Admins mark an account&apos;s known answer on its page. A reviewer&apos;s decision on one scores them
        here and never changes the dataset.
      </p>
      {reviewers.length === 0 ? (
        <p className="text-sm text-slate-500">No answers to known-answer accounts yet.</p>
      ) : (
        <table className="w-full max-w-3xl text-sm" aria-label="Accuracy on known answers">
          <thead className="text-left text-slate-500">
            <tr>
              <th className="px-2 py-1 font-normal">Reviewer</th>
              <th className="px-2 py-1 font-normal">Right on approve or reject (95% interval)</th>
              <th className="px-2 py-1 font-normal">Right reason (both reject)</th>
            </tr>
          </thead>
          <tbody>
            {reviewers.map((r) => (
              <tr key={r.name} className="border-t border-slate-100">
                <th scope="row" className="px-2 py-1 text-left font-normal">
                  <bdi>{r.name}</bdi>
                </th>
                <td className="px-2 py-1 tabular-nums">{share(r.accuracy)}</td>
                <td className="px-2 py-1 tabular-nums">{share(r.reasonAccuracy)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
