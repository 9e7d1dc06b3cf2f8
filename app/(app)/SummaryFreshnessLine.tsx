import type { SummaryFreshness } from '@/lib/queries/inclusionSummary';

const stamp = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 19)} UTC`;

/** How current the included/excluded figures are: they come from a summary refreshed as the data changes. */
export function SummaryFreshnessLine({ f }: { f: SummaryFreshness }) {
  if (!f.refreshedAt)
    return <p className="text-xs text-slate-500">Counted from every photo (the summary is being built).</p>;
  return (
    <p className="text-xs text-slate-500">
      {f.pendingAccounts === 0 ? (
        <>
          Counts up to date as of <time dateTime={f.refreshedAt}>{stamp(f.refreshedAt)}</time>.
        </>
      ) : (
        <>
          Counts as of <time dateTime={f.refreshedAt}>{stamp(f.refreshedAt)}</time>; recent changes to{' '}
          {f.pendingAccounts.toLocaleString('en-US')} account{f.pendingAccounts === 1 ? '' : 's'} are still
          being counted.
        </>
      )}
    </p>
  );
}
