import { CHECKS, isCheckName, LICENSES } from '@/lib/checks';
import type { AccountReviewData } from '@/components/hooks/useAccountReviewQuery';
import { rejectReasonLabel } from '@/lib/reviewVocabulary';
import { BoxOverlay } from '@/components/review/Thumb';

const checkLabel = (c: string) => (isCheckName(c) ? CHECKS[c].label : c);
const share = (n: number, total: number) => (total ? `${((100 * n) / total).toFixed(n && n / total < 0.01 ? 1 : 0)}%` : '—');

/** The facts a reviewer weighs: size, licenses, upload span, each check's flagged share, the estimated watermark, history. */
export function AccountFacts({ data }: { data: AccountReviewData }) {
  const a = data.account;
  const wm = (a.watermarkSummary ?? null) as { box?: unknown; imageKey?: string; photosWith?: number; photosSampled?: number; photosChecked?: number } | null;
  return (
    <aside aria-label="Account facts" className="space-y-3 text-sm">
      <div>
        <h1 className="text-lg font-semibold break-words">{a.username ?? a.realName ?? a.nsid}</h1>
        <p className="text-slate-600">{a.nsid} · rank {a.rank ?? '—'} ·{' '}
          <a href={`https://www.flickr.com/photos/${encodeURIComponent(a.nsid)}`} target="_blank" rel="noreferrer noopener" className="text-blue-700 underline">Flickr</a></p>
      </div>
      <dl className="grid grid-cols-[7rem_1fr] gap-y-1">
        <dt className="text-slate-500">Photos</dt><dd className="tabular-nums">{a.photoCount.toLocaleString('en-US')}</dd>
        <dt className="text-slate-500">Uploaded</dt><dd>{data.uploadSpan.first?.slice(0, 10) ?? '—'} → {data.uploadSpan.last?.slice(0, 10) ?? '—'}</dd>
        <dt className="text-slate-500">Licenses</dt>
        <dd>{data.licenses.map((l) => <span key={l.license} className="block">{LICENSES[l.license] ?? l.license}: {l.count.toLocaleString('en-US')}</span>)}</dd>
        <dt className="text-slate-500">Flagged</dt><dd>{data.flaggedTotal.toLocaleString('en-US')} photos</dd>
      </dl>
      <table className="w-full">
        <caption className="text-left font-medium">Share flagged by each check</caption>
        <tbody>
          {data.checks.map((c) => (
            <tr key={c.check} className="border-t">
              <td className="py-0.5">{checkLabel(c.check)}</td>
              <td className="text-right tabular-nums" title={`${c.fail} fail, ${c.uncertain} uncertain of ${c.total}`}>
                {share(c.fail, c.total)}{c.uncertain ? <span className="text-amber-700"> +{share(c.uncertain, c.total)}?</span> : null}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {(a.watermarkVerdict || wm) && (
        <div>
          <p className="font-medium">Watermark: {a.watermarkVerdict ?? '—'}{a.watermarkScore !== null ? ` (${a.watermarkScore.toFixed(2)})` : ''}</p>
          {wm?.photosChecked ?? wm?.photosSampled ? <p className="text-slate-600">On {wm?.photosWith ?? 0} of {wm?.photosChecked ?? wm?.photosSampled} photos checked</p> : null}
          {wm?.imageKey && (
            <span className="relative mt-1 block w-full">
              {/* eslint-disable-next-line @next/next/no-img-element -- a generated PNG from our own API, not a static asset */}
              <img src={`/api/accounts/${encodeURIComponent(a.nsid)}/watermark`} alt="Estimated watermark" loading="lazy" className="w-full bg-slate-900 object-contain" />
              <BoxOverlay box={wm.box} label="Watermark box" />
            </span>
          )}
        </div>
      )}
      {data.accountChecks.length > 0 && (
        <ul>{data.accountChecks.map((c) => <li key={c.check}>{checkLabel(c.check)} (account): {c.verdict}{c.score !== null ? ` ${c.score.toFixed(2)}` : ''}</li>)}</ul>
      )}
      <section>
        <h2 className="font-medium">History</h2>
        {data.decisions.length === 0 ? <p className="text-slate-500">No decisions yet.</p> : (
          <ol className="space-y-0.5" aria-label="Decision history">
            {data.decisions.map((d) => (
              <li key={d.id}>{d.createdAt.slice(5, 16).replace('T', ' ')} {d.userName}: <strong>{d.decision}</strong>
                {d.reason ? ` · ${rejectReasonLabel(d.reason)}` : ''}{d.note ? ` — “${d.note}”` : ''}</li>
            ))}
          </ol>
        )}
      </section>
    </aside>
  );
}
