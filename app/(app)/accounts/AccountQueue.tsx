'use client';
import Link from 'next/link';
import { useRouter, useSearchParams } from 'next/navigation';
import { useState } from 'react';
import { useClaimAccountMutation } from '@/components/hooks/useClaimAccountMutation';
import { useReviewQueueQuery, type QueueParams } from '@/components/hooks/useReviewQueueQuery';
import { QUEUE_ORDERS, rejectReasonLabel, type QueueOrder } from '@/lib/reviewVocabulary';

const ORDER_LABELS: Record<QueueOrder, string> = {
  rank: 'Rank (most photos first)',
  flag: 'Flag score',
  watermark: 'Watermark score',
};
const STATUS_STYLE = {
  pending: 'text-slate-600',
  approved: 'text-green-700',
  rejected: 'text-red-700',
} as const;

/** The review queue: the top N accounts, undecided first, and the button that claims the next one. */
export function AccountQueue() {
  const router = useRouter();
  // The order is in the address, so the review page's way back (and a reload) returns to the queue as it was.
  const asked = useSearchParams().get('order');
  const order: QueueOrder = QUEUE_ORDERS.find((o) => o === asked) ?? 'rank';
  const setOrder = (o: QueueOrder) => router.replace(`/accounts?order=${o}`, { scroll: false });
  const [status, setStatus] = useState<QueueParams['status']>(undefined);
  const [page, setPage] = useState(1);
  const pageSize = 100;
  const queue = useReviewQueueQuery({ order, status, page, pageSize });
  const claim = useClaimAccountMutation();
  const [empty, setEmpty] = useState(false);

  async function start() {
    setEmpty(false);
    const res = await claim.mutateAsync(order).catch(() => null);
    if (res?.lease) router.push(`/accounts/${encodeURIComponent(res.lease.nsid)}?order=${order}`);
    else if (res) setEmpty(true);
  }

  const d = queue.data;
  const pages = d ? Math.max(1, Math.ceil(d.total / pageSize)) : 1;
  return (
    <div className="space-y-4">
      <div className="flex flex-wrap items-end gap-4">
        <button
          type="button"
          onClick={start}
          disabled={claim.isPending}
          autoFocus
          className="rounded bg-blue-700 px-4 py-2 font-medium text-white hover:bg-blue-800 disabled:opacity-60"
        >
          Start reviewing
        </button>
        <label className="text-sm">
          Order
          <select
            value={order}
            onChange={(e) => {
              setOrder(e.target.value as QueueOrder);
              setPage(1);
            }}
            className="ml-2 rounded border px-2 py-1"
          >
            {QUEUE_ORDERS.map((o) => (
              <option key={o} value={o}>
                {ORDER_LABELS[o]}
              </option>
            ))}
          </select>
        </label>
        <label className="text-sm">
          Show
          <select
            value={status ?? ''}
            onChange={(e) => {
              setStatus((e.target.value || undefined) as QueueParams['status']);
              setPage(1);
            }}
            className="ml-2 rounded border px-2 py-1"
          >
            <option value="">All</option>
            <option value="pending">Pending</option>
            <option value="approved">Approved</option>
            <option value="rejected">Rejected</option>
          </select>
        </label>
        {d && (
          <p className="text-sm text-slate-600" aria-live="polite">
            Top {d.topN.toLocaleString('en-US')} accounts:{' '}
            <strong>{d.counts.pending.toLocaleString('en-US')}</strong> pending,{' '}
            {d.counts.approved.toLocaleString('en-US')} approved, {d.counts.rejected.toLocaleString('en-US')}{' '}
            rejected
          </p>
        )}
      </div>
      {empty && (
        <p role="status" className="rounded bg-green-50 p-2 text-sm text-green-900">
          Nothing left to review: every top account is decided or being reviewed.
        </p>
      )}
      {claim.error && (
        <p role="alert" className="text-sm text-red-700">
          {claim.error.message}
        </p>
      )}
      <div className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="w-full text-sm">
          <caption className="sr-only">Review queue</caption>
          <thead className="bg-slate-50 text-left">
            <tr>
              <th className="p-2">Rank</th>
              <th className="p-2">Account</th>
              <th className="p-2 text-right">Photos</th>
              <th className="p-2">Status</th>
              <th className="p-2 text-right">Flag score</th>
              <th className="p-2 text-right">Watermark</th>
              <th className="p-2">In review by</th>
            </tr>
          </thead>
          <tbody>
            {d?.data.map((a) => (
              <tr key={a.nsid} className="border-t border-slate-100">
                <td className="p-2 tabular-nums">{a.rank}</td>
                <td className="p-2">
                  <Link
                    href={`/accounts/${encodeURIComponent(a.nsid)}?order=${order}`}
                    className="text-blue-700 underline-offset-2 hover:underline"
                  >
                    <bdi>{a.username ?? a.nsid}</bdi>
                  </Link>
                  <span className="ml-1 text-xs text-slate-500">{a.nsid}</span>
                </td>
                <td className="p-2 text-right tabular-nums">{a.photoCount.toLocaleString('en-US')}</td>
                <td className={`p-2 ${STATUS_STYLE[a.reviewStatus]}`}>
                  {a.reviewStatus}
                  {a.reviewReason ? ` · ${rejectReasonLabel(a.reviewReason)}` : ''}
                </td>
                <td className="p-2 text-right tabular-nums">{a.flagScore.toFixed(2)}</td>
                <td className="p-2 text-right tabular-nums">{a.watermarkScore?.toFixed(2) ?? '—'}</td>
                <td className="p-2">
                  {a.leaseHolder ? a.leaseMine ? 'you' : <bdi>{a.leaseHolder}</bdi> : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {queue.isLoading && <p className="p-3 text-sm text-slate-500">Loading…</p>}
        {d && d.data.length === 0 && (
          <p className="p-3 text-sm text-slate-500">
            No accounts here yet: ingest photos and rank accounts first.
          </p>
        )}
      </div>
      <nav aria-label="Queue pages" className="flex items-center gap-2 text-sm">
        <button
          type="button"
          disabled={page <= 1}
          onClick={() => setPage((p) => p - 1)}
          className="rounded border px-2 py-1 disabled:opacity-50"
        >
          Previous page
        </button>
        <span>
          Page {page} of {pages}
        </span>
        <button
          type="button"
          disabled={page >= pages}
          onClick={() => setPage((p) => p + 1)}
          className="rounded border px-2 py-1 disabled:opacity-50"
        >
          Next page
        </button>
      </nav>
    </div>
  );
}
