'use client';
import { memo } from 'react';
import type { SamplePhoto } from '@/lib/queries/review';
import { CHECKS, isCheckName } from '@/lib/checks';
import { Thumb } from '@/components/review/Thumb';
import { VirtualGrid } from '@/components/review/VirtualGrid';

const SHORT: Record<string, string> = {
  resolution: 'RES',
  exif_copyright: 'EXIF',
  copyright_text: '©',
  duplicate: 'DUP',
  clip_nonphoto: 'NP',
  clip_nonwholesome: 'NSFW',
  watermark: 'WM',
  border: 'BRD',
};
const checkLabel = (c: string) => (isCheckName(c) ? CHECKS[c].label : c);

const Cell = memo(function Cell({
  photo,
  index,
  active,
  onOpen,
}: {
  photo: SamplePhoto;
  index: number;
  active: boolean;
  onOpen: (i: number) => void;
}) {
  const flags = photo.flags.map((f) => `${checkLabel(f.check)} ${f.verdict}`).join(', ');
  return (
    <button
      type="button"
      data-grid-index={index}
      tabIndex={active ? 0 : -1}
      onClick={() => onOpen(index)}
      aria-label={`Photo ${photo.title || photo.id}${flags ? `, flagged: ${flags}` : ''}`}
      className={`relative block aspect-square w-full overflow-hidden rounded ${active ? 'ring-4 ring-blue-600' : ''} ${photo.flagged ? 'outline outline-2 outline-red-500' : ''}`}
    >
      <Thumb contentHash={photo.contentHash} alt="" className="h-full w-full" />
      {photo.flags.length > 0 && (
        <span
          className="absolute inset-x-0 bottom-0 flex flex-wrap gap-0.5 bg-black/55 p-0.5"
          aria-hidden="true"
        >
          {photo.flags.map((f) => (
            <span
              key={f.check}
              data-badge
              title={`${checkLabel(f.check)}: ${f.verdict}`}
              className={`rounded px-1 text-[10px] font-semibold text-white ${f.verdict === 'fail' ? 'bg-red-600' : 'bg-amber-600'}`}
            >
              {SHORT[f.check] ?? f.check}
            </span>
          ))}
        </span>
      )}
    </button>
  );
});

/** The account's sample: flagged photos first (outlined, marked by check), then the random sample. */
export function SampleGrid({
  photos,
  active,
  onOpen,
  onColumns,
}: {
  photos: SamplePhoto[];
  active: number;
  onOpen: (i: number) => void;
  onColumns: (c: number) => void;
}) {
  return (
    <div data-review-grid>
      <VirtualGrid
        count={photos.length}
        minCellWidth={104}
        estimateHeight={128}
        label="Sample photos"
        height="calc(100vh - 16rem)"
        activeIndex={active}
        onColumns={onColumns}
        renderCell={(i) => <Cell photo={photos[i]} index={i} active={i === active} onOpen={onOpen} />}
      />
    </div>
  );
}
