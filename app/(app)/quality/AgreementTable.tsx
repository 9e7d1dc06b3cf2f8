import { kappaText, percent } from '@/components/review/agreementText';
import type { PairAgreement, ReviewQuality } from '@/lib/queries/reviewQuality';
import type { Agreement } from '@/lib/stats/kappa';

function Cells({ a }: { a: Agreement }) {
  return (
    <>
      <td className="px-2 py-1 text-right tabular-nums">{a.n.toLocaleString('en-US')}</td>
      <td className="px-2 py-1 text-right tabular-nums">{a.n ? percent(a.percent) : '—'}</td>
      <td className="px-2 py-1 tabular-nums">{kappaText(a)}</td>
    </>
  );
}

/** Agreement of the blind double reviews, overall and per reviewer pair: on approve/reject, and on the reason when both rejected. */
export function AgreementTable({
  overall,
  pairs,
}: {
  overall: ReviewQuality['overall'];
  pairs: PairAgreement[];
}) {
  const rows = [
    { key: 'overall', label: 'Everyone', ...overall },
    ...pairs.map((p) => ({ key: `${p.a}|${p.b}`, label: `${p.a} & ${p.b}`, ...p })),
  ];
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="agreement-h">
      <h2 id="agreement-h" className="font-medium">
        Agreement
      </h2>
      <p className="mb-3 text-xs text-slate-500">
        Cohen&apos;s kappa with its 95% interval (Fleiss, Cohen &amp; Everitt standard error): agreement
        beyond what each reviewer&apos;s own approve/reject shares would give by chance. A dash means kappa is
        undefined (no pairs yet, or only one answer given).
      </p>
      <div className="overflow-x-auto">
        <table className="w-full min-w-[44rem] text-sm" aria-label="Agreement by reviewer pair">
          <thead className="text-left text-slate-500">
            <tr>
              <th rowSpan={2} className="px-2 py-1 font-normal">
                Reviewers
              </th>
              <th colSpan={3} className="border-b border-slate-100 px-2 py-1 font-normal">
                Approve or reject
              </th>
              <th colSpan={3} className="border-b border-slate-100 px-2 py-1 font-normal">
                Reject reason (both rejected)
              </th>
            </tr>
            <tr>
              <th className="px-2 py-1 text-right font-normal">Accounts</th>
              <th className="px-2 py-1 text-right font-normal">Agree</th>
              <th className="px-2 py-1 font-normal">Kappa</th>
              <th className="px-2 py-1 text-right font-normal">Accounts</th>
              <th className="px-2 py-1 text-right font-normal">Agree</th>
              <th className="px-2 py-1 font-normal">Kappa</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr
                key={r.key}
                className={`border-t border-slate-100 ${r.key === 'overall' ? 'font-medium' : ''}`}
              >
                <th scope="row" className="px-2 py-1 text-left font-normal">
                  <bdi>{r.label}</bdi>
                </th>
                <Cells a={r.decision} />
                <Cells a={r.reason} />
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
