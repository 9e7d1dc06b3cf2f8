'use client';
import type { RefObject } from 'react';
import type { LeaseState } from '@/lib/queries/review';
import { REJECT_REASONS, rejectReasonLabel, type RejectReason } from '@/lib/reviewVocabulary';

type Props = {
  status: 'pending' | 'approved' | 'rejected';
  reason: string | null;
  canDecide: boolean;
  blockedBy: string | null;
  waiting?: LeaseState['waiting'] | null;
  rejecting: boolean;
  note: string;
  noteRef: RefObject<HTMLTextAreaElement | null>;
  needsNote: boolean;
  onApprove: () => void;
  onReject: () => void;
  onReason: (r: RejectReason) => void;
  onNote: (v: string) => void;
  onNoteDone: (submit: boolean) => void;
  onUndo: () => void;
  canUndo: boolean;
  onHelp: () => void;
};

/** Why the lease was refused although nobody else holds the account (quarry_internal.review_block). */
const WAITING: Record<NonNullable<LeaseState['waiting']>, string> = {
  second_review: 'You made the first of this account’s two reviews; a second reviewer decides it blind.',
  adjudication: 'Its two reviews disagree: an admin adjudicates it on the Review quality page.',
  answered: 'You have already decided this account: your decision is under History.',
  known_answer_admin:
    'A known-answer account: reviewers’ answers are scored against the answer below, so admins do not answer it.',
};

const STATUS = {
  pending: 'bg-slate-100 text-slate-800',
  approved: 'bg-green-100 text-green-900',
  rejected: 'bg-red-100 text-red-900',
} as const;

/** Approve, reject with a reason, a note, undo: each a real button, each with its key in the name. */
export function DecisionPanel(p: Props) {
  return (
    <section aria-label="Decision" className="space-y-2 rounded-lg border border-slate-200 bg-white p-3">
      <div className="flex flex-wrap items-center gap-2">
        <span
          className={`rounded px-2 py-1 text-sm font-medium ${STATUS[p.status]}`}
          data-testid="review-status"
        >
          {p.status}
          {p.reason ? ` · ${rejectReasonLabel(p.reason)}` : ''}
        </span>
        <button
          type="button"
          onClick={p.onApprove}
          disabled={!p.canDecide}
          aria-keyshortcuts="A"
          className="rounded bg-green-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-green-800 disabled:opacity-50"
        >
          Approve (A)
        </button>
        <button
          type="button"
          onClick={p.onReject}
          disabled={!p.canDecide}
          aria-keyshortcuts="R"
          aria-expanded={p.rejecting}
          className="rounded bg-red-700 px-3 py-1.5 text-sm font-medium text-white hover:bg-red-800 disabled:opacity-50"
        >
          Reject (R)
        </button>
        <button
          type="button"
          onClick={p.onUndo}
          disabled={!p.canUndo}
          aria-keyshortcuts="Z"
          className="rounded border px-3 py-1.5 text-sm hover:bg-slate-100 disabled:opacity-50"
        >
          Undo last decision (Z)
        </button>
        <button
          type="button"
          onClick={p.onHelp}
          aria-keyshortcuts="?"
          className="rounded border px-3 py-1.5 text-sm hover:bg-slate-100"
        >
          Shortcuts (?)
        </button>
        {p.blockedBy && (
          <span role="status" className="text-sm text-amber-800">
            <bdi>{p.blockedBy}</bdi> is reviewing this account.
          </span>
        )}
        {p.waiting && (
          <span role="status" className="text-sm text-amber-800">
            {WAITING[p.waiting]}
          </span>
        )}
      </div>
      {p.rejecting && (
        <div role="group" aria-label="Reject reason" className="flex flex-wrap gap-1.5">
          {REJECT_REASONS.map((r, i) => (
            <button
              key={r.key}
              type="button"
              onClick={() => p.onReason(r.key)}
              aria-keyshortcuts={String(i + 1)}
              className="rounded border border-red-300 bg-red-50 px-2 py-1 text-sm text-red-900 hover:bg-red-100"
            >
              {i + 1} {r.label}
            </button>
          ))}
        </div>
      )}
      <label className="block text-sm">
        <span className="text-slate-600">
          Note (N){p.needsNote ? ' — required for “Other”; Enter rejects' : ''}
        </span>
        <textarea
          ref={p.noteRef}
          value={p.note}
          rows={1}
          onChange={(e) => p.onNote(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey) {
              e.preventDefault();
              p.onNoteDone(true);
            }
            if (e.key === 'Escape') {
              e.preventDefault();
              p.onNoteDone(false);
            }
          }}
          className={`mt-1 w-full rounded border px-2 py-1 ${p.needsNote ? 'border-red-400' : ''}`}
        />
      </label>
    </section>
  );
}
