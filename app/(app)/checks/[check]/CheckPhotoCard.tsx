'use client';
import { memo, type MouseEvent } from 'react';
import type { CheckPhoto } from '@/lib/queries/overrides';
import { EvidenceText } from '@/components/review/Evidence';
import { Thumb } from '@/components/review/Thumb';
import { VerdictBadge } from '@/components/review/VerdictBadge';

type Props = {
  photo: CheckPhoto;
  index: number;
  check: string;
  active: boolean;
  selected: boolean;
  busy: boolean;
  onSelect: (index: number, e: MouseEvent) => void;
  onOpen: (index: number) => void;
  onVerdict: (photoId: string, v: 'pass' | 'fail') => void;
};

/** One flagged photo with its evidence: CLIP's classes, the matched phrase, the duplicate pair, the watermark box. */
export const CheckPhotoCard = memo(function CheckPhotoCard({
  photo: p,
  index,
  check,
  active,
  selected,
  busy,
  onSelect,
  onOpen,
  onVerdict,
}: Props) {
  const name = p.title ? `${p.photoId} (${p.title})` : p.photoId;
  // The account's box belongs to its main orientation: a photo of the other orientation (box null, orientation set) has
  // no box of its own to draw, and the account's would land in the wrong place.
  const d = p.details as { box?: unknown; orientation?: unknown };
  const box = check === 'watermark' ? (d.box ?? (d.orientation ? null : p.accountWatermarkBox)) : null;
  return (
    <article
      aria-label={`Photo ${name}`}
      data-testid={`check-photo-${p.photoId}`}
      className={`flex h-full flex-col gap-1 rounded border bg-white p-1.5 text-xs ${active ? 'ring-4 ring-blue-600' : ''} ${selected ? 'border-blue-600 bg-blue-50' : 'border-slate-200'}`}
    >
      <div className="flex items-center gap-1">
        <input
          type="checkbox"
          checked={selected}
          onChange={() => {}}
          onClick={(e) => onSelect(index, e)}
          aria-label={`Select photo ${p.photoId}`}
          className="h-4 w-4"
        />
        <span className="truncate font-mono">{p.photoId}</span>
        <span className="ml-auto tabular-nums">{p.score?.toFixed(3) ?? '—'}</span>
      </div>
      <button
        type="button"
        data-grid-index={index}
        tabIndex={active ? 0 : -1}
        onClick={() => onOpen(index)}
        aria-label={`Open photo ${p.photoId}`}
        className="block h-40 w-full shrink-0 overflow-hidden rounded"
      >
        {check === 'duplicate' && p.duplicateOf ? (
          <span className="grid h-full grid-cols-2 gap-0.5">
            <Thumb contentHash={p.contentHash} alt={`This photo ${p.photoId}`} className="h-full w-full" />
            <Thumb
              contentHash={p.duplicateOf.contentHash}
              alt={`Duplicate of ${p.duplicateOf.id}`}
              className="h-full w-full"
            />
          </span>
        ) : (
          <Thumb contentHash={p.contentHash} alt={`Photo ${p.photoId}`} box={box} className="h-full w-full" />
        )}
      </button>
      <div data-evidence className="break-words">
        <EvidenceText check={check} details={p.details} />
      </div>
      <div className="mt-auto flex flex-wrap items-center gap-1">
        <span>
          auto <VerdictBadge verdict={p.verdict} />
        </span>
        {p.override && (
          <span title={`by ${p.override.by ?? '?'} at ${p.override.at}`}>
            now <VerdictBadge verdict={p.effective} />
          </span>
        )}
      </div>
      <div className="flex gap-1">
        <button
          type="button"
          disabled={busy || p.effective === 'pass'}
          onClick={() => onVerdict(p.photoId, 'pass')}
          className="flex-1 rounded border border-green-600 px-1 py-0.5 text-green-800 hover:bg-green-50 disabled:opacity-40"
        >
          Pass<span className="sr-only"> {p.photoId}</span>
        </button>
        <button
          type="button"
          disabled={busy || (p.effective === 'fail' && p.override !== null)}
          onClick={() => onVerdict(p.photoId, 'fail')}
          className="flex-1 rounded border border-red-600 px-1 py-0.5 text-red-800 hover:bg-red-50 disabled:opacity-40"
        >
          Fail<span className="sr-only"> {p.photoId}</span>
        </button>
      </div>
    </article>
  );
});
