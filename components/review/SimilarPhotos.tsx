'use client';
import { useId, useState } from 'react';
import { useOverrideMutation } from '../hooks/useOverrideMutation';
import { useSimilarPhotosQuery } from '../hooks/useSimilarPhotosQuery';
import { useToast } from '../ui/Toaster';
import { CosineCutoff } from './CosineCutoff';
import { newRequestId } from './requestId';
import { Thumb } from './Thumb';
import { UnfitModelNotice } from './UnfitModelNotice';

/**
 * The photo's 12 nearest photos across all accounts by CLIP embedding, with their cosine; a slider hides those below
 * a cutoff, and one click marks a neighbour a duplicate of this photo (an override of its duplicate check, audited
 * like any other, with the pair and cosine as its reason).
 */
export function SimilarPhotos({ photoId, onOpen }: { photoId: string; onOpen?: (id: string) => void }) {
  const similar = useSimilarPhotosQuery(photoId);
  const override = useOverrideMutation();
  const toast = useToast();
  const [cutoff, setCutoff] = useState(0.8);
  const sliderId = useId();
  const shown = similar.data?.neighbours.filter((n) => n.similarity >= cutoff) ?? [];
  // Something to search by: an embedding of a model whose embeddings measure similarity.
  const searchable = similar.data && similar.data.source !== 'none' && similar.data.source !== 'unfit';

  return (
    <section aria-labelledby={`${sliderId}-title`}>
      <div className="mb-1 flex flex-wrap items-center justify-between gap-2">
        <h3 id={`${sliderId}-title`} className="font-medium">
          Similar photos
        </h3>
        {similar.data?.source !== 'unfit' && (
          <CosineCutoff id={sliderId} value={cutoff} onChange={setCutoff} />
        )}
      </div>
      {similar.isLoading && <p className="text-slate-500">Loading…</p>}
      {similar.error && (
        <p role="alert" className="text-red-700">
          {similar.error.message}
        </p>
      )}
      {similar.data?.source === 'none' && (
        <p className="text-slate-500">No CLIP embedding for this photo yet (run the clip stage).</p>
      )}
      {similar.data?.source === 'unfit' && <UnfitModelNotice model={similar.data.model ?? ''} />}
      {searchable && shown.length === 0 && (
        <p className="text-slate-500">
          No photo at cosine ≥ {cutoff.toFixed(2)} (of the {similar.data?.neighbours.length} nearest).
        </p>
      )}
      <ul className="grid grid-cols-3 gap-2 sm:grid-cols-4" aria-label="Similar photos">
        {shown.map((n) => (
          <li key={n.photoId} className="rounded border p-1 text-xs">
            {onOpen ? (
              <button
                type="button"
                className="block w-full text-left"
                onClick={() => onOpen(n.photoId)}
                aria-label={`Open photo ${n.photoId}`}
              >
                <Thumb
                  contentHash={n.contentHash}
                  alt={n.title || `Photo ${n.photoId}`}
                  className="h-24 w-full"
                />
              </button>
            ) : (
              <Thumb
                contentHash={n.contentHash}
                alt={n.title || `Photo ${n.photoId}`}
                className="h-24 w-full"
              />
            )}
            <p className="mt-1 flex justify-between gap-1">
              <span className="font-medium tabular-nums">cos {n.similarity.toFixed(3)}</span>
              <span className="truncate text-slate-500" title={n.ownerNsid}>
                <bdi>{n.ownerNsid}</bdi>
              </span>
            </p>
            {n.duplicate === 'fail' ? (
              <p className="mt-1 text-slate-600">Duplicate</p>
            ) : (
              <button
                type="button"
                disabled={override.isPending || n.duplicate === null}
                title={n.duplicate === null ? 'The duplicate check has not run on this photo' : undefined}
                onClick={() =>
                  override.mutate(
                    {
                      photoIds: [n.photoId],
                      check: 'duplicate',
                      newVerdict: 'fail',
                      reason: `duplicate of ${photoId} (CLIP cosine ${n.similarity.toFixed(3)})`,
                      requestId: newRequestId(),
                    },
                    {
                      onSuccess: () => {
                        toast({ text: `Photo ${n.photoId} marked a duplicate of ${photoId}` });
                        void similar.refetch();
                      },
                    },
                  )
                }
                className="mt-1 w-full rounded border px-1 py-0.5 hover:bg-slate-100 disabled:opacity-50"
              >
                Mark {n.photoId} duplicate
              </button>
            )}
          </li>
        ))}
      </ul>
      {override.error && (
        <p role="alert" className="text-red-700">
          {override.error.message}
        </p>
      )}
      {searchable && (
        <p className="mt-1 text-xs text-slate-500">
          {similar.data?.source === 'index'
            ? 'From the nearest-neighbour index'
            : 'Exact search (no index saved yet)'}{' '}
          of {similar.data?.model}, across all accounts.
        </p>
      )}
    </section>
  );
}
