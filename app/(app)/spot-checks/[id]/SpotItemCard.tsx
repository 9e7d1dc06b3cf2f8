'use client';
import { memo } from 'react';
import type { SpotCheckItemRow } from '@/lib/queries/spotChecks';
import { spotLabelName } from '@/components/review/KnownPhotoAnswer';
import { Thumb } from '@/components/review/Thumb';
import { SPOT_LABELS, type SpotLabel } from '@/lib/reviewVocabulary';

type Props = {
  item: SpotCheckItemRow;
  index: number;
  total: number;
  active: boolean;
  onOpen: (i: number) => void;
  onToggle: (i: number, l: SpotLabel) => void;
};

/** One sampled photo with its five label toggles (keys 1–5). */
export const SpotItemCard = memo(function SpotItemCard({
  item,
  index,
  total,
  active,
  onOpen,
  onToggle,
}: Props) {
  const labels = item.labels ?? [];
  return (
    <article
      aria-label={`Sample photo ${item.position} of ${total}`}
      data-testid={`spot-item-${item.position}`}
      className={`flex h-full flex-col gap-1 rounded border p-1.5 text-xs ${active ? 'ring-4 ring-blue-600' : ''} ${labels.length ? 'border-slate-300 bg-white' : 'border-dashed border-slate-300 bg-slate-50'}`}
    >
      <div className="relative shrink-0">
        <button
          type="button"
          data-grid-index={index}
          tabIndex={active ? 0 : -1}
          onClick={() => onOpen(index)}
          aria-label={`Open photo ${item.photoId}`}
          className="block h-36 w-full shrink-0 overflow-hidden rounded"
        >
          <Thumb
            contentHash={item.contentHash}
            missing={item.noImage}
            alt={item.title || `Photo ${item.photoId}`}
            className="h-full w-full"
          />
        </button>
        {/* Admins only: reviewers' items carry no `gold` field, so nothing here differs for them. Drawn over the
          thumbnail so the card keeps the grid's height. */}
        {item.gold && (
          <p
            className="pointer-events-none absolute inset-x-1 top-1 rounded bg-amber-100/95 px-1 text-amber-900 shadow"
            data-testid="known-answer-item"
          >
            {item.knownAnswer
              ? `Known answer: ${spotLabelName(item.knownAnswer)}`
              : 'Known-answer item (unmarked since)'}
          </p>
        )}
      </div>
      <div role="group" aria-label="Labels" className="grid grid-cols-1 gap-0.5">
        {SPOT_LABELS.map((l, i) => {
          const on = labels.includes(l.key);
          return (
            <button
              key={l.key}
              type="button"
              aria-pressed={on}
              onClick={() => onToggle(index, l.key)}
              className={`rounded border px-1 py-0.5 text-left ${on ? (l.key === 'fine' ? 'border-green-700 bg-green-700 text-white' : 'border-red-700 bg-red-700 text-white') : 'border-slate-300 hover:bg-slate-100'}`}
            >
              {i + 1} {l.label}
            </button>
          );
        })}
      </div>
    </article>
  );
});
