'use client';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { fetchJson } from '@/components/hooks/fetchJson';
import { REJECT_REASONS, rejectReasonLabel, type RejectReason } from '@/lib/reviewVocabulary';

/**
 * Admins: make the account a known-answer (gold) account, mixed into reviewers' queues at REVIEW_GOLD_RATE; their
 * decisions on it score them on the Review quality page and never change the account.
 */
export function KnownAnswer({
  nsid,
  gold,
}: {
  nsid: string;
  gold: { answer: string; reason: string | null } | null;
}) {
  const qc = useQueryClient();
  const [reason, setReason] = useState<RejectReason>('watermarks');
  const [error, setError] = useState<string | null>(null);
  async function set(answer: 'approve' | 'reject' | null) {
    setError(null);
    try {
      await fetchJson(`/api/accounts/${encodeURIComponent(nsid)}/gold`, {
        method: 'POST',
        json: answer === 'reject' ? { answer, reason } : { answer },
      });
      await qc.invalidateQueries({ queryKey: ['account', { nsid }] });
    } catch (e) {
      setError((e as Error).message);
    }
  }
  return (
    <section
      aria-label="Known answer"
      className="flex flex-wrap items-center gap-2 rounded-lg border border-dashed border-slate-300 bg-white px-3 py-2 text-sm"
    >
      <span className="text-slate-600" data-testid="known-answer">
        {gold ? (
          <>
            Known answer: <strong>{gold.answer}</strong>
            {gold.reason ? ` · ${rejectReasonLabel(gold.reason)}` : ''}
          </>
        ) : (
          'Not a known-answer account'
        )}
      </span>
      <button
        type="button"
        onClick={() => void set('approve')}
        className="rounded border px-2 py-0.5 hover:bg-slate-100"
      >
        Known answer: approve
      </button>
      <label>
        Reason
        <select
          value={reason}
          onChange={(e) => setReason(e.target.value as RejectReason)}
          className="ml-1 rounded border px-1 py-0.5"
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
        onClick={() => void set('reject')}
        className="rounded border px-2 py-0.5 hover:bg-slate-100"
      >
        Known answer: reject
      </button>
      {gold && (
        <button
          type="button"
          onClick={() => void set(null)}
          className="rounded border px-2 py-0.5 hover:bg-slate-100"
        >
          Clear known answer
        </button>
      )}
      {error && (
        <span role="alert" className="text-red-700">
          {error}
        </span>
      )}
    </section>
  );
}
