'use client';
import { useEffect, useRef, type ReactNode } from 'react';
import { CHECKS, isCheckName, LICENSES } from '@/lib/checks';
import { reasonLabel } from '@/lib/reasons';
import { useOverrideMutation } from '../hooks/useOverrideMutation';
import { usePhotoQuery } from '../hooks/usePhotoQuery';
import { EvidenceText } from './Evidence';
import { SimilarPhotos } from './SimilarPhotos';
import { newRequestId } from './requestId';
import { BoxOverlay } from './Thumb';
import { VerdictBadge } from './VerdictBadge';
import { useToast } from '../ui/Toaster';

const checkLabel = (c: string) => (isCheckName(c) ? CHECKS[c].label : c);

/**
 * The photo in detail: large image, metadata, Flickr link, every check result, override history and inclusion.
 * `children`: a page's own panel about the photo (e.g. an admin's known answer), shown under the inclusion line.
 */
export function PhotoDrawer({
  photoId,
  onClose,
  onOpenPhoto,
  children,
}: {
  photoId: string | null;
  onClose: () => void;
  /** Shows another photo in the drawer (a similar photo's thumbnail); without it thumbnails are not links. */
  onOpenPhoto?: (id: string) => void;
  children?: ReactNode;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  const photo = usePhotoQuery(photoId);
  const override = useOverrideMutation();
  const toast = useToast();
  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (photoId && !d.open) d.showModal();
    if (!photoId && d.open) d.close();
  }, [photoId]);
  const p = photo.data;
  const watermarkBox = p?.checks.find((c) => c.check === 'watermark' && c.effective !== 'pass')?.details as
    | { box?: unknown }
    | undefined;

  return (
    <dialog
      ref={ref}
      onClose={onClose}
      aria-labelledby="photo-drawer-title"
      className="fixed inset-y-0 right-0 left-auto m-0 h-full max-h-none w-full max-w-3xl overflow-y-auto bg-white p-0 shadow-2xl backdrop:bg-black/40"
    >
      <div className="sticky top-0 z-10 flex items-center justify-between border-b bg-white px-4 py-2">
        <h2 id="photo-drawer-title" className="truncate font-medium">
          Photo {photoId}
          {p?.photo.title ? (
            <>
              {' '}
              — <bdi>{p.photo.title}</bdi>
            </>
          ) : (
            ''
          )}
        </h2>
        <button
          type="button"
          onClick={() => ref.current?.close()}
          className="rounded border px-2 py-1 text-sm hover:bg-slate-100"
          autoFocus
        >
          Close
        </button>
      </div>
      {photo.isLoading && <p className="p-4 text-sm text-slate-500">Loading…</p>}
      {photo.error && (
        <p role="alert" className="p-4 text-sm text-red-700">
          {photo.error.message}
        </p>
      )}
      {p && (
        <div className="space-y-4 p-4 text-sm">
          <div className="relative mx-auto w-fit">
            {/* eslint-disable-next-line @next/next/no-img-element -- served by our preview route */}
            <img
              src={`/api/previews/${encodeURIComponent(p.photo.id)}`}
              alt={p.photo.title || `Photo ${p.photo.id}`}
              className="max-h-[60vh] min-w-64 w-auto"
              onError={(e) => {
                // No preview (e.g. the image is gone from Flickr): show the stored thumbnail instead.
                const img = e.currentTarget;
                if (p.photo.contentHash && !img.src.includes('/api/thumbnails/'))
                  img.src = `/api/thumbnails/${p.photo.contentHash}`;
              }}
            />
            <BoxOverlay box={watermarkBox?.box} label="Watermark box" />
          </div>
          <p
            className={`rounded px-2 py-1 font-medium ${p.inclusion.included ? 'bg-green-50 text-green-900' : 'bg-red-50 text-red-900'}`}
            data-testid="inclusion"
          >
            {p.inclusion.included
              ? 'Included in the dataset'
              : `Excluded: ${p.inclusion.reasons.map(reasonLabel).join(', ')}`}
          </p>
          {children}
          <dl className="grid grid-cols-[9rem_1fr] gap-x-3 gap-y-1">
            <dt className="text-slate-500">Account</dt>
            <dd>
              <bdi>{p.photo.ownerName ?? p.photo.ownerNsid}</bdi> ({p.photo.ownerNsid}, {p.accountStatus})
            </dd>
            <dt className="text-slate-500">License</dt>
            <dd>{LICENSES[p.photo.license] ?? p.photo.license}</dd>
            <dt className="text-slate-500">Uploaded</dt>
            <dd>{p.photo.dateUpload.slice(0, 10)}</dd>
            <dt className="text-slate-500">Taken</dt>
            <dd>{p.photo.dateTaken?.slice(0, 10) ?? '—'}</dd>
            <dt className="text-slate-500">Original</dt>
            <dd>
              {p.photo.originalWidth ?? '?'}×{p.photo.originalHeight ?? '?'}
            </dd>
            <dt className="text-slate-500">Availability</dt>
            <dd>{p.photo.availability}</dd>
            <dt className="text-slate-500">Tags</dt>
            <dd className="break-words">
              <bdi>{p.photo.tags || '—'}</bdi>
            </dd>
            <dt className="text-slate-500">Description</dt>
            <dd className="break-words">
              <bdi>{p.photo.description.replace(/<[^>]*>/g, ' ').slice(0, 600) || '—'}</bdi>
            </dd>
            <dt className="text-slate-500">Flickr</dt>
            <dd>
              <a
                href={p.photo.flickrUrl}
                target="_blank"
                rel="noreferrer noopener"
                className="text-blue-700 underline"
              >
                Open on Flickr
              </a>
            </dd>
          </dl>
          <section>
            <h3 className="mb-1 font-medium">Checks</h3>
            <table className="w-full text-left">
              <thead>
                <tr className="text-slate-500">
                  <th className="py-1">Check</th>
                  <th>Verdict</th>
                  <th>Score</th>
                  <th>Evidence</th>
                  <th>
                    <span className="sr-only">Override</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {p.checks.map((c) => (
                  <tr key={c.check} className="border-t align-top">
                    <td className="py-1">{checkLabel(c.check)}</td>
                    <td>
                      <VerdictBadge verdict={c.effective} />
                      {c.effective !== c.verdict && (
                        <span className="block text-xs text-slate-500">auto: {c.verdict}</span>
                      )}
                    </td>
                    <td className="tabular-nums">{c.score?.toFixed(3) ?? '—'}</td>
                    <td className="max-w-56">
                      <EvidenceText check={c.check} details={(c.details ?? {}) as Record<string, unknown>} />
                    </td>
                    <td className="whitespace-nowrap">
                      {(['pass', 'fail'] as const)
                        .filter((v) => v !== c.effective)
                        .map((v) => (
                          <button
                            key={v}
                            type="button"
                            disabled={override.isPending}
                            onClick={() =>
                              override.mutate(
                                {
                                  photoIds: [p.photo.id],
                                  check: c.check,
                                  newVerdict: v,
                                  requestId: newRequestId(),
                                },
                                {
                                  onSuccess: () =>
                                    toast({
                                      text: `${checkLabel(c.check)} set to ${v} on photo ${p.photo.id}`,
                                    }),
                                },
                              )
                            }
                            className="rounded border px-1.5 py-0.5 text-xs hover:bg-slate-100"
                          >
                            Set {checkLabel(c.check)} to {v}
                          </button>
                        ))}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
            {p.checks.length === 0 && <p className="text-slate-500">No checks have run on this photo.</p>}
            {override.error && (
              <p role="alert" className="text-red-700">
                {override.error.message}
              </p>
            )}
          </section>
          <SimilarPhotos photoId={p.photo.id} onOpen={onOpenPhoto} />
          <section>
            <h3 className="mb-1 font-medium">Override history</h3>
            {p.overrides.length === 0 ? (
              <p className="text-slate-500">None.</p>
            ) : (
              <ol className="space-y-0.5">
                {p.overrides.map((o) => (
                  <li key={o.id}>
                    {o.at.slice(0, 16).replace('T', ' ')} — <bdi>{o.by}</bdi>: {checkLabel(o.check)}{' '}
                    {o.oldVerdict ?? '—'} → {o.newVerdict}
                    {o.reason ? (
                      <>
                        {' '}
                        (<bdi>{o.reason}</bdi>)
                      </>
                    ) : (
                      ''
                    )}
                  </li>
                ))}
              </ol>
            )}
          </section>
        </div>
      )}
    </dialog>
  );
}
