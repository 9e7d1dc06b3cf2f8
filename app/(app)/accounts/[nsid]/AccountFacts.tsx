import { CHECKS, isCheckName, LICENSES } from '@/lib/checks';
import type { AccountReviewData } from '@/components/hooks/useAccountReviewQuery';
import { rejectReasonLabel } from '@/lib/reviewVocabulary';
import { BoxOverlay } from '@/components/review/Thumb';
import { borderWords, describeBox } from '@/components/review/evidenceWords';

const checkLabel = (c: string) => (isCheckName(c) ? CHECKS[c].label : c);
const share = (n: number, total: number) =>
  total ? `${((100 * n) / total).toFixed(n && n / total < 0.01 ? 1 : 0)}%` : '—';

/** The facts a reviewer weighs: size, licenses, upload span, each check's flagged share, the estimated watermark, history. */
export function AccountFacts({ data }: { data: AccountReviewData }) {
  const a = data.account;
  const wm = (a.watermarkSummary ?? null) as {
    box?: unknown;
    imageKey?: string;
    photosWith?: number;
    photosSampled?: number;
    photosChecked?: number;
    border?: Record<string, unknown> | null;
  } | null;
  const where = describeBox(wm?.box);
  const checkedMost = Math.max(0, ...data.checks.map((c) => c.total));
  // The account's watermark check is what the Watermark block shows (the same verdict and score): not listed twice.
  const showsWatermark = !!(a.watermarkVerdict || wm);
  const accountChecks = data.accountChecks.filter((c) => !(showsWatermark && c.check === 'watermark'));
  return (
    <aside aria-label="Account facts" className="space-y-3 text-sm">
      <div>
        <h1 className="text-lg font-semibold break-words">
          <bdi>{a.username ?? a.realName ?? a.nsid}</bdi>
        </h1>
        <p className="text-slate-600">
          {a.nsid} · rank {a.rank ?? '—'} ·{' '}
          <a
            href={`https://www.flickr.com/photos/${encodeURIComponent(a.nsid)}`}
            target="_blank"
            rel="noreferrer noopener"
            className="text-blue-700 underline"
          >
            Flickr
          </a>
        </p>
      </div>
      <dl className="grid grid-cols-[7rem_1fr] gap-y-1">
        <dt className="text-slate-500">Photos</dt>
        <dd className="tabular-nums">{a.photoCount.toLocaleString('en-US')}</dd>
        <dt className="text-slate-500">Uploaded</dt>
        <dd>
          {data.uploadSpan.first?.slice(0, 10) ?? '—'} → {data.uploadSpan.last?.slice(0, 10) ?? '—'}
        </dd>
        <dt className="text-slate-500">Licenses</dt>
        <dd>
          {data.licenses.map((l) => (
            <span key={l.license} className="block">
              {LICENSES[l.license] ?? l.license}: {l.count.toLocaleString('en-US')}
            </span>
          ))}
        </dd>
        <dt className="text-slate-500">Flagged</dt>
        <dd>{data.flaggedTotal.toLocaleString('en-US')} photos</dd>
      </dl>
      <table className="w-full">
        <caption className="text-left font-medium">What each check found in this account</caption>
        <thead className="text-xs text-slate-500">
          <tr>
            <th className="text-left font-normal">Check</th>
            <th className="text-right font-normal">Failed</th>
            <th className="text-right font-normal">Unsure</th>
          </tr>
        </thead>
        <tbody>
          {data.checks.map((c) => (
            <tr
              key={c.check}
              className="border-t"
              title={`${checkLabel(c.check)}: ${c.fail} failed, ${c.uncertain} unsure, of ${c.total} photos checked`}
            >
              <td className="py-0.5">
                {checkLabel(c.check)}
                {/* Some checks only record the photos they flag (border, watermark): say how few a share is of. */}
                {c.total < checkedMost ? (
                  <span className="text-xs text-slate-500"> · of {c.total.toLocaleString('en-US')}</span>
                ) : null}
              </td>
              <td className="text-right tabular-nums">{share(c.fail, c.total)}</td>
              <td className={`text-right tabular-nums ${c.uncertain ? 'text-amber-700' : 'text-slate-400'}`}>
                {share(c.uncertain, c.total)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="text-xs text-slate-500">
        Shares of the photos each check looked at (“of N” where it looked at fewer). “Unsure” photos stay in
        the dataset unless a reviewer fails them.
        {data.checks.some((c) => c.check === 'border')
          ? ' Border / frame is a minor edit and is never more than unsure.'
          : ''}
      </p>
      {showsWatermark && (
        <div>
          <p className="font-medium">
            Watermark: {a.watermarkVerdict ?? '—'}
            {a.watermarkScore !== null ? ` (${a.watermarkScore.toFixed(2)})` : ''}
          </p>
          {(wm?.photosChecked ?? wm?.photosSampled) ? (
            <p className="text-slate-600">
              On {wm?.photosWith ?? 0} of {wm?.photosChecked ?? wm?.photosSampled} photos checked
            </p>
          ) : null}
          {where && <p className="text-slate-600">The mark sits in the {where} (outlined below).</p>}
          {wm?.border && <p className="text-slate-600">{borderWords(wm.border)}</p>}
          {wm?.imageKey && (
            <span className="relative mt-1 block w-full">
              {/* eslint-disable-next-line @next/next/no-img-element -- a generated PNG from our own API, not a static asset */}
              <img
                src={`/api/accounts/${encodeURIComponent(a.nsid)}/watermark`}
                alt="Estimated watermark"
                loading="lazy"
                className="w-full bg-slate-900 object-contain"
              />
              <BoxOverlay box={wm.box} label="Watermark box" />
            </span>
          )}
        </div>
      )}
      {accountChecks.length > 0 && (
        <ul>
          {accountChecks.map((c) => (
            <li key={c.check}>
              {checkLabel(c.check)} (account): {c.verdict}
              {c.score !== null ? ` ${c.score.toFixed(2)}` : ''}
            </li>
          ))}
        </ul>
      )}
      <section>
        <h2 className="font-medium">History</h2>
        {data.decisions.length === 0 ? (
          <p className="text-slate-500">No decisions yet.</p>
        ) : (
          <ol className="space-y-0.5" aria-label="Decision history">
            {data.decisions.map((d) => (
              <li key={d.id}>
                {d.createdAt.slice(5, 16).replace('T', ' ')} <bdi>{d.userName}</bdi>:{' '}
                <strong>{d.decision}</strong>
                {d.reason ? ` · ${rejectReasonLabel(d.reason)}` : ''}
                {d.note ? (
                  <>
                    {' '}
                    — “<bdi>{d.note}</bdi>”
                  </>
                ) : (
                  ''
                )}
              </li>
            ))}
          </ol>
        )}
      </section>
    </aside>
  );
}
