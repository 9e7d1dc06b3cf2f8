'use client';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { fetchJson } from '@/components/hooks/fetchJson';
import { newRequestId } from '@/components/review/requestId';

/** Admins: send a decided account back to the queue with a reason; the history keeps the decision and the send-back. */
export function SendBack({ nsid }: { nsid: string }) {
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  async function send() {
    if (!reason.trim()) {
      setError('Say why the account goes back');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await fetchJson(`/api/accounts/${encodeURIComponent(nsid)}/reopen`, {
        method: 'POST',
        json: { reason: reason.trim(), requestId: newRequestId() },
      });
      setOpen(false);
      setReason('');
      await Promise.all([
        qc.invalidateQueries({ queryKey: ['account', { nsid }] }),
        qc.invalidateQueries({ queryKey: ['lease', { nsid }] }),
        qc.invalidateQueries({ queryKey: ['queue'] }),
      ]);
    } catch (e) {
      setError((e as Error).message);
    } finally {
      setBusy(false);
    }
  }

  if (!open) {
    return (
      <button
        type="button"
        onClick={() => setOpen(true)}
        className="rounded border px-3 py-1.5 text-sm hover:bg-slate-100"
      >
        Send back…
      </button>
    );
  }
  return (
    <form
      className="flex flex-wrap items-center gap-2 text-sm"
      onSubmit={(e) => {
        e.preventDefault();
        void send();
      }}
    >
      <label>
        Why it goes back
        <input
          value={reason}
          onChange={(e) => setReason(e.target.value)}
          maxLength={2000}
          autoFocus
          className="ml-2 w-72 rounded border px-2 py-1"
        />
      </label>
      <button
        type="submit"
        disabled={busy}
        className="rounded bg-slate-800 px-3 py-1 font-medium text-white disabled:opacity-50"
      >
        Send back to the queue
      </button>
      <button
        type="button"
        onClick={() => {
          setOpen(false);
          setError(null);
        }}
        className="rounded border px-3 py-1"
      >
        Cancel
      </button>
      {error && (
        <span role="alert" className="text-red-700">
          {error}
        </span>
      )}
    </form>
  );
}
