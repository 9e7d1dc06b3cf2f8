'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useState } from 'react';
import { fetchJson } from '@/components/hooks/fetchJson';
import { newRequestId } from '@/components/review/requestId';
import type { AdjudicationItem } from '@/lib/queries/reviewQuality';
import { REJECT_REASONS, rejectReasonLabel, type RejectReason } from '@/lib/reviewVocabulary';

function Item({ item, onDone }: { item: AdjudicationItem; onDone: () => void }) {
  const [reason, setReason] = useState<RejectReason>('watermarks');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const label = item.username ?? item.nsid;
  async function decide(decision: 'approve' | 'reject') {
    setBusy(true);
    setError(null);
    try {
      await fetchJson(`/api/accounts/${encodeURIComponent(item.nsid)}/adjudication`, {
        method: 'POST',
        json: { decision, ...(decision === 'reject' ? { reason } : {}), requestId: newRequestId() },
      });
      onDone();
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }
  return (
    <li className="space-y-2 border-t border-slate-100 py-3" aria-label={`Adjudicate ${label}`}>
      <div className="flex flex-wrap items-baseline gap-x-3">
        <Link
          href={`/accounts/${encodeURIComponent(item.nsid)}`}
          className="font-medium text-blue-700 hover:underline"
        >
          <bdi>{label}</bdi>
        </Link>
        <span className="text-xs text-slate-500">
          {item.nsid}
          {item.rank ? ` · rank ${item.rank}` : ''}
        </span>
      </div>
      <ul className="text-sm">
        {item.reviews.map((r, i) => (
          <li key={i}>
            <bdi>{r.userName}</bdi>: <strong>{r.decision}</strong>
            {r.reason ? ` · ${rejectReasonLabel(r.reason)}` : ''}
            {r.note ? (
              <>
                {' '}
                — “<bdi>{r.note}</bdi>”
              </>
            ) : (
              ''
            )}
          </li>
        ))}
      </ul>
      <div className="flex flex-wrap items-center gap-2">
        <button
          type="button"
          disabled={busy}
          onClick={() => void decide('approve')}
          className="rounded bg-green-700 px-3 py-1 text-sm font-medium text-white hover:bg-green-800 disabled:opacity-50"
        >
          Approve
        </button>
        <label className="text-sm">
          Reason
          <select
            value={reason}
            onChange={(e) => setReason(e.target.value as RejectReason)}
            className="ml-1 rounded border px-1 py-1"
          >
            {REJECT_REASONS.filter((r) => r.key !== 'other').map((r) => (
              <option key={r.key} value={r.key}>
                {r.label}
              </option>
            ))}
          </select>
        </label>
        <button
          type="button"
          disabled={busy}
          onClick={() => void decide('reject')}
          className="rounded bg-red-700 px-3 py-1 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-50"
        >
          Reject
        </button>
        {error && (
          <span role="alert" className="text-sm text-red-700">
            {error}
          </span>
        )}
      </div>
    </li>
  );
}

/** Accounts whose two blind reviews disagreed: both reviews side by side, and the admin's decision, which counts. */
export function AdjudicationQueue({ items, total }: { items: AdjudicationItem[]; total: number }) {
  const router = useRouter();
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="adjudication-h">
      <h2 id="adjudication-h" className="font-medium">
        Adjudication{' '}
        <span className="font-normal text-slate-500">· {total.toLocaleString('en-US')} waiting</span>
      </h2>
      {items.length === 0 ? (
        <p className="mt-2 text-sm text-slate-500">No disagreements waiting.</p>
      ) : (
        <ul className="mt-1">
          {items.map((it) => (
            <Item key={it.nsid} item={it} onDone={() => router.refresh()} />
          ))}
        </ul>
      )}
      {total > items.length && (
        <p className="text-xs text-slate-500">Showing the first {items.length} by rank.</p>
      )}
    </section>
  );
}
