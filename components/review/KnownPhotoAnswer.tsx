'use client';
import { useEffect, useState, type FormEvent } from 'react';
import { useGoldPhotoQuery } from '../hooks/useGoldPhotoQuery';
import { useSetGoldPhotoMutation } from '../hooks/useSetGoldPhotoMutation';
import { SPOT_LABELS, type SpotLabel } from '@/lib/reviewVocabulary';
import { newRequestId } from './requestId';

export const spotLabelName = (key: string | null) =>
  SPOT_LABELS.find((l) => l.key === key)?.label ?? key ?? '';

/**
 * Admins: give a photo a known answer for spot-checks (fine, or the problem it has), with the reason, or take it away.
 * Known-answer photos are mixed into new samples at REVIEW_GOLD_RATE; labels on them score the labeller on the Review
 * quality page and never count in a spot-check's estimates.
 */
export function KnownPhotoAnswer({ photoId }: { photoId: string }) {
  const state = useGoldPhotoQuery(photoId);
  const set = useSetGoldPhotoMutation();
  const [answer, setAnswer] = useState<SpotLabel>('non_photo');
  const [reason, setReason] = useState('');
  const gold = state.data?.gold ?? null;
  // The answer picker starts at the photo's current answer, so "Change" is a deliberate edit.
  const current = gold?.answer;
  useEffect(() => {
    if (current) setAnswer(current);
  }, [current]);

  function submit(e: FormEvent<HTMLFormElement>, to: SpotLabel | null) {
    e.preventDefault();
    // One request id per click; the button is disabled while it is in flight, and the server writes a repeat once.
    set.mutate(
      { photoId, answer: to, reason: reason.trim(), requestId: newRequestId() },
      { onSuccess: () => setReason('') },
    );
  }

  return (
    <section
      aria-label="Known answer for spot-checks"
      className="space-y-2 rounded-lg border border-dashed border-amber-400 bg-amber-50/40 p-3"
    >
      <h3 className="font-medium">Known answer for spot-checks</h3>
      <p data-testid="photo-known-answer">
        {state.isLoading ? (
          'Loading…'
        ) : gold ? (
          <>
            Known answer: <strong>{spotLabelName(gold.answer)}</strong> — “<bdi>{gold.reason}</bdi>” (
            <bdi>{gold.markedBy}</bdi>, {gold.markedAt.slice(0, 16).replace('T', ' ')})
          </>
        ) : (
          'Not a known-answer photo'
        )}
      </p>
      <form
        onSubmit={(e) => {
          const to = (e.nativeEvent as SubmitEvent).submitter?.getAttribute('value');
          submit(e, to === 'unmark' ? null : answer);
        }}
        className="flex flex-wrap items-end gap-2"
      >
        <label className="flex flex-col">
          Answer
          <select
            value={answer}
            onChange={(e) => setAnswer(e.target.value as SpotLabel)}
            className="rounded border bg-white px-1 py-0.5"
          >
            {SPOT_LABELS.map((l) => (
              <option key={l.key} value={l.key}>
                {l.key === 'fine' ? 'Fine (no problem)' : `Problem: ${l.label}`}
              </option>
            ))}
          </select>
        </label>
        <label className="flex min-w-48 flex-1 flex-col">
          Why
          <input
            value={reason}
            onChange={(e) => setReason(e.target.value)}
            required
            maxLength={500}
            placeholder="e.g. a scanned drawing, clearly not a photo"
            className="rounded border bg-white px-2 py-0.5"
          />
        </label>
        <button
          type="submit"
          value="mark"
          disabled={set.isPending || !state.data}
          className="rounded bg-amber-700 px-2 py-1 text-white disabled:opacity-60"
        >
          {gold ? 'Change known answer' : 'Mark as known answer'}
        </button>
        {gold && (
          <button
            type="submit"
            value="unmark"
            disabled={set.isPending}
            className="rounded border border-slate-400 bg-white px-2 py-1 hover:bg-slate-100 disabled:opacity-60"
          >
            Unmark
          </button>
        )}
      </form>
      {set.error && (
        <p role="alert" className="text-red-700">
          {set.error.message}
        </p>
      )}
      {state.error && (
        <p role="alert" className="text-red-700">
          {state.error.message}
        </p>
      )}
      {state.data && state.data.history.length > 0 && (
        <details>
          <summary className="cursor-pointer text-slate-600">History ({state.data.history.length})</summary>
          <ol aria-label="Known-answer history" className="mt-1 space-y-0.5">
            {state.data.history.map((h, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: the history is append-only and shown newest first
              <li key={i}>
                {h.at.slice(0, 16).replace('T', ' ')} — <bdi>{h.by}</bdi>:{' '}
                {h.answer ? `marked ${spotLabelName(h.answer)}` : 'unmarked'} — “<bdi>{h.reason}</bdi>”
              </li>
            ))}
          </ol>
        </details>
      )}
    </section>
  );
}
