'use client';
import { useQueryClient } from '@tanstack/react-query';
import { useId, useState } from 'react';
import {
  accountLookalikesKey,
  useAccountLookalikesQuery,
} from '@/components/hooks/useAccountLookalikesQuery';
import { useOverrideMutation } from '@/components/hooks/useOverrideMutation';
import { CosineCutoff } from '@/components/review/CosineCutoff';
import { IndexBuildNotice } from '@/components/runs/IndexBuildNotice';
import { newRequestId } from '@/components/review/requestId';
import { Thumb } from '@/components/review/Thumb';
import { UnfitModelNotice } from '@/components/review/UnfitModelNotice';
import { useToast } from '@/components/ui/Toaster';
import type { AccountLookalikes as Lookalikes, LookalikePair } from '@/pipeline/clip/accountLookalikes';

const PAGE = 12;

/**
 * Are this account's photos copies of someone else's? Its most recent photos' nearest photos in other accounts (CLIP
 * embeddings, through the saved nearest-neighbour index), best first, with their cosine; a slider hides pairs below a
 * cutoff, and one click marks the account's photo a duplicate of the other (an audited override of its duplicate check).
 */
export function AccountLookalikes({ nsid, onOpen }: { nsid: string; onOpen: (photoId: string) => void }) {
  const [open, setOpen] = useState(true);
  const [cutoff, setCutoff] = useState(0.8);
  // A page belongs to one account and cutoff: either changing starts again at the first page.
  const [paging, setPaging] = useState({ nsid, cutoff, page: 0 });
  const page = paging.nsid === nsid && paging.cutoff === cutoff ? paging.page : 0;
  const setPage = (f: (n: number) => number) => setPaging({ nsid, cutoff, page: f(page) });
  const id = useId();
  const query = useAccountLookalikesQuery(nsid, open);
  const data = query.data?.status === 'ok' ? query.data : null;
  const shown = data?.pairs.filter((p) => p.similarity >= cutoff) ?? [];
  const pages = Math.max(1, Math.ceil(shown.length / PAGE));
  const from = Math.min(page, pages - 1) * PAGE;

  return (
    <details
      open={open}
      onToggle={(e) => setOpen(e.currentTarget.open)}
      className="rounded border border-slate-200 bg-white p-3 text-sm"
    >
      <summary className="cursor-pointer font-medium">
        <h2 id={`${id}-title`} className="inline">
          Similar photos in other accounts
        </h2>
      </summary>
      <section aria-labelledby={`${id}-title`} className="mt-2 space-y-2">
        {/* Nothing to summarise or filter when the installed model's embeddings are not searched at all. */}
        {query.data?.status !== 'unfit' && (
          <div className="flex flex-wrap items-center justify-between gap-2">
            <p className="text-slate-600">{data && data.searched > 0 ? summaryLine(data) : '\u00a0'}</p>
            <CosineCutoff id={`${id}-cutoff`} value={cutoff} onChange={setCutoff} />
          </div>
        )}
        {open && <IndexBuildNotice />}
        {query.isLoading && (
          <p role="status" className="text-slate-500">
            Searching the nearest-neighbour index…
          </p>
        )}
        {query.error && (
          <div role="alert" className="flex items-center gap-2 text-red-700">
            <span>Could not search for similar photos: {query.error.message}</span>
            <button type="button" className="rounded border px-2 py-0.5" onClick={() => void query.refetch()}>
              Try again
            </button>
          </div>
        )}
        {query.data?.status === 'unfit' && <UnfitModelNotice model={query.data.model} />}
        {query.data?.status === 'no-index' && (
          <p className="text-slate-600">
            The nearest-neighbour index of CLIP embeddings is not built yet. The CLIP stage builds it when it
            finishes: start a run with the CLIP stage on the Runs page, or run{' '}
            <code className="rounded bg-slate-100 px-1">npm run quarry -- clip</code>.
          </p>
        )}
        {data && data.searched === 0 && (
          <p className="text-slate-600">
            None of this account’s photos has a CLIP embedding of {data.model} yet: run the CLIP stage.
          </p>
        )}
        {data && data.searched > 0 && (
          <>
            <p role="status" className="text-slate-700">
              {shown.length === 0
                ? `No pair at cosine ≥ ${cutoff.toFixed(2)} (of ${data.pairs.length} found).`
                : `${shown.length} ${shown.length === 1 ? 'pair' : 'pairs'} at cosine ≥ ${cutoff.toFixed(2)} (of ${data.pairs.length} found); showing ${from + 1}–${Math.min(from + PAGE, shown.length)}.`}
            </p>
            <ul
              aria-label="Pairs with other accounts"
              className="grid grid-cols-1 gap-2 sm:grid-cols-2 xl:grid-cols-3 2xl:grid-cols-4"
            >
              {shown.slice(from, from + PAGE).map((p) => (
                <PairCard
                  key={`${p.photo.photoId}:${p.other.photoId}`}
                  nsid={nsid}
                  pair={p}
                  onOpen={onOpen}
                />
              ))}
            </ul>
            {pages > 1 && (
              <nav aria-label="Pair pages" className="flex items-center gap-2">
                <button
                  type="button"
                  className="rounded border px-2 py-0.5 disabled:opacity-50"
                  disabled={from === 0}
                  onClick={() => setPage((n) => Math.max(0, n - 1))}
                >
                  Previous pairs
                </button>
                <span className="tabular-nums text-slate-600">
                  Page {from / PAGE + 1} of {pages}
                </span>
                <button
                  type="button"
                  className="rounded border px-2 py-0.5 disabled:opacity-50"
                  disabled={from + PAGE >= shown.length}
                  onClick={() => setPage((n) => Math.min(pages - 1, n + 1))}
                >
                  Next pairs
                </button>
              </nav>
            )}
          </>
        )}
      </section>
    </details>
  );
}

function summaryLine(d: Extract<Lookalikes, { status: 'ok' }>): string {
  const scope =
    d.searched < d.accountPhotos
      ? `Its ${d.searched} most recent photos with an embedding were searched, of ${d.accountPhotos.toLocaleString('en-US')} (at most ${d.sampleLimit}, so the page stays fast)`
      : `All ${d.searched} of its photos were searched`;
  return `${scope}, each for its nearest photos in other accounts, in the index of ${d.indexSize.toLocaleString('en-US')} photos (${d.model}).`;
}

function PairCard({
  nsid,
  pair,
  onOpen,
}: {
  nsid: string;
  pair: LookalikePair;
  onOpen: (photoId: string) => void;
}) {
  const qc = useQueryClient();
  const override = useOverrideMutation();
  const toast = useToast();
  const { photo, other, similarity } = pair;
  const mark = () =>
    override.mutate(
      {
        photoIds: [photo.photoId],
        check: 'duplicate',
        newVerdict: 'fail',
        reason: `duplicate of ${other.photoId} (CLIP cosine ${similarity.toFixed(3)})`,
        requestId: newRequestId(),
      },
      {
        onSuccess: () => {
          toast({ text: `Photo ${photo.photoId} marked a duplicate of ${other.photoId}` });
          // Shown at once on every pair of this photo, without searching the index again.
          qc.setQueryData<Lookalikes>(accountLookalikesKey(nsid), (d) =>
            d?.status === 'ok'
              ? {
                  ...d,
                  pairs: d.pairs.map((p) =>
                    p.photo.photoId === photo.photoId
                      ? { ...p, photo: { ...p.photo, duplicate: 'fail' } }
                      : p,
                  ),
                }
              : d,
          );
        },
      },
    );
  return (
    <li className="rounded border border-slate-300 p-1.5 text-xs">
      <div className="grid grid-cols-2 gap-1">
        {[photo, other].map((c) => (
          <button
            key={c.photoId}
            type="button"
            className="block min-w-0 text-left"
            onClick={() => onOpen(c.photoId)}
            aria-label={`Open photo ${c.photoId}${c === photo ? ' (this account)' : ` of ${c.ownerNsid}`}`}
          >
            <Thumb
              contentHash={c.contentHash}
              alt={c.title || `Photo ${c.photoId}`}
              className="h-24 w-full"
            />
          </button>
        ))}
      </div>
      <p className="mt-1 flex justify-between gap-1">
        <span className="font-medium tabular-nums">cos {similarity.toFixed(3)}</span>
        <span className="min-w-0 truncate text-slate-500" title={other.ownerNsid}>
          other account <bdi>{other.ownerNsid}</bdi>
        </span>
      </p>
      <p className="truncate text-slate-500">
        {photo.photoId} ↔ {other.photoId}
      </p>
      {photo.duplicate === 'fail' ? (
        <p className="mt-1 text-slate-600">Duplicate</p>
      ) : (
        <button
          type="button"
          disabled={override.isPending || photo.duplicate === null}
          title={photo.duplicate === null ? 'The duplicate check has not run on this photo' : undefined}
          onClick={mark}
          className="mt-1 w-full rounded border px-1 py-0.5 hover:bg-slate-100 disabled:opacity-50"
        >
          Mark {photo.photoId} duplicate
        </button>
      )}
      {override.error && (
        <p role="alert" className="text-red-700">
          {override.error.message}
        </p>
      )}
    </li>
  );
}
