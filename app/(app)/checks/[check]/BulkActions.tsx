'use client';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { fetchJson } from '@/components/hooks/fetchJson';
import { newRequestId } from '@/components/review/requestId';
import { useToast } from '@/components/ui/Toaster';
import type { OverrideBatchRow } from '@/lib/queries/overrideBatches';
import type { CheckPhotoCriteria } from '@/lib/queries/overrides';

const verb = (v: string | null) => (v === 'pass' ? 'Passed' : v === 'fail' ? 'Failed' : 'Undid');

/**
 * "Apply to all N matching these filters": every result, not only the page, confirmed with the count, recorded as one
 * audited batch; the check's recent batches are listed with an Undo for each.
 */
export function BulkActions({
  check,
  checkName,
  filter,
  total,
  reason,
}: {
  check: string;
  checkName: string;
  filter: CheckPhotoCriteria;
  total: number | undefined;
  reason: string;
}) {
  const qc = useQueryClient();
  const toast = useToast();
  const [confirming, setConfirming] = useState<'pass' | 'fail' | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const batches = useQuery({
    queryKey: ['overrideBatches', { check }],
    queryFn: () =>
      fetchJson<{ data: OverrideBatchRow[] }>(`/api/checks/${encodeURIComponent(check)}/batches`).then(
        (r) => r.data,
      ),
  });
  const refresh = () =>
    Promise.all([
      qc.invalidateQueries({ queryKey: ['checkPhotos'] }),
      qc.invalidateQueries({ queryKey: ['checks'] }),
      qc.invalidateQueries({ queryKey: ['overrideBatches', { check }] }),
    ]);

  async function run(newVerdict: 'pass' | 'fail') {
    if (!total) return;
    setBusy(true);
    setError(null);
    try {
      const b = await fetchJson<OverrideBatchRow>(`/api/checks/${encodeURIComponent(check)}/bulk`, {
        method: 'POST',
        json: {
          filter,
          newVerdict,
          reason: reason.trim() || undefined,
          expectedCount: total,
          requestId: newRequestId(),
        },
      });
      setConfirming(null);
      toast({
        text: `${verb(newVerdict)} all ${b.count.toLocaleString('en-US')} matching photos on ${checkName} (one batch)`,
      });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
      await refresh();
    }
  }

  async function undo(b: OverrideBatchRow) {
    setError(null);
    try {
      const u = await fetchJson<OverrideBatchRow>(`/api/override-batches/${b.id}/undo`, {
        method: 'POST',
        json: { requestId: newRequestId() },
      });
      toast({
        kind: 'info',
        text: `Undone as a batch: ${u.count.toLocaleString('en-US')} photos back to their earlier verdict`,
      });
    } catch (e) {
      setError((e as Error).message);
    } finally {
      await refresh();
    }
  }

  const recent = (batches.data ?? []).slice(0, 5);
  return (
    <section
      aria-label="Bulk actions"
      className="space-y-2 rounded-lg border border-slate-200 bg-white p-3 text-sm"
    >
      <div className="flex flex-wrap items-center gap-2">
        <span className="text-slate-600">
          All {total === undefined ? '…' : total.toLocaleString('en-US')} matching these filters (every page):
        </span>
        <button
          type="button"
          disabled={!total || busy}
          onClick={() => setConfirming('pass')}
          className="rounded border border-green-700 px-2 py-1 text-green-800 hover:bg-green-50 disabled:opacity-50"
        >
          Pass all matching…
        </button>
        <button
          type="button"
          disabled={!total || busy}
          onClick={() => setConfirming('fail')}
          className="rounded border border-red-700 px-2 py-1 text-red-800 hover:bg-red-50 disabled:opacity-50"
        >
          Fail all matching…
        </button>
      </div>
      {confirming && total !== undefined && (
        <div
          role="group"
          aria-label="Confirm bulk action"
          className="flex flex-wrap items-center gap-2 rounded bg-amber-50 p-2 text-amber-950"
        >
          <span>
            {confirming === 'pass' ? 'Pass' : 'Fail'} <strong>{total.toLocaleString('en-US')}</strong> photos
            on {checkName}
            {reason.trim() ? ` (reason: “${reason.trim()}”)` : ''}? One batch, undoable as a whole.
          </span>
          <button
            type="button"
            disabled={busy}
            onClick={() => void run(confirming)}
            className="rounded bg-slate-900 px-2 py-1 font-medium text-white disabled:opacity-50"
          >
            {confirming === 'pass' ? 'Pass' : 'Fail'} all {total.toLocaleString('en-US')}
          </button>
          <button type="button" onClick={() => setConfirming(null)} className="rounded border px-2 py-1">
            Cancel
          </button>
        </div>
      )}
      {error && (
        <p role="alert" className="text-red-700">
          {error}
        </p>
      )}
      {recent.length > 0 && (
        <ul aria-label="Recent batches" className="space-y-0.5 text-slate-700">
          {recent.map((b) => (
            <li key={b.id} className="flex flex-wrap items-center gap-2">
              <span>
                {b.createdAt.slice(5, 16).replace('T', ' ')} <bdi>{b.userName}</bdi>: {verb(b.newVerdict)}{' '}
                {b.count.toLocaleString('en-US')} photos
                {b.reason && !b.undoesId ? (
                  <>
                    {' '}
                    — “<bdi>{b.reason}</bdi>”
                  </>
                ) : (
                  ''
                )}{' '}
                <span className="text-xs text-slate-500">batch {b.id.slice(0, 8)}</span>
              </span>
              {b.undoneBy ? (
                <span className="text-xs text-slate-500">undone</span>
              ) : (
                !b.undoesId && (
                  <button
                    type="button"
                    onClick={() => void undo(b)}
                    className="rounded border px-2 py-0.5 hover:bg-slate-100"
                  >
                    Undo batch
                  </button>
                )
              )}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
