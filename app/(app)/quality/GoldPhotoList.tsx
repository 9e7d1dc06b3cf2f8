'use client';
import { useState } from 'react';
import { useGoldPhotosQuery } from '@/components/hooks/useGoldPhotosQuery';
import { KnownPhotoAnswer, spotLabelName } from '@/components/review/KnownPhotoAnswer';
import { PhotoDrawer } from '@/components/review/PhotoDrawer';
import { Thumb } from '@/components/review/Thumb';

/** Every known-answer photo; opening one shows its drawer, where an admin changes or unmarks it (with a reason). */
export function GoldPhotoList() {
  const list = useGoldPhotosQuery();
  const [open, setOpen] = useState<string | null>(null);
  const rows = list.data ?? [];
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="gold-photo-list-h">
      <h2 id="gold-photo-list-h" className="mb-2 font-medium">
        Known-answer photos in use
      </h2>
      {list.isLoading && <p className="text-sm text-slate-500">Loading…</p>}
      {list.error && (
        <p role="alert" className="text-sm text-red-700">
          {list.error.message}
        </p>
      )}
      {list.data && rows.length === 0 && (
        <p className="text-sm text-slate-500">
          None yet: open a photo (on a spot-check, for instance) and mark its known answer.
        </p>
      )}
      {rows.length > 0 && (
        <div className="max-h-[32rem] overflow-auto">
          <table className="w-full text-sm" aria-label="Known-answer photos">
            <thead className="sticky top-0 bg-white text-left text-slate-500">
              <tr>
                <th className="px-2 py-1 font-normal">Photo</th>
                <th className="px-2 py-1 font-normal">Known answer</th>
                <th className="px-2 py-1 font-normal">Why</th>
                <th className="px-2 py-1 font-normal">Marked</th>
                <th className="px-2 py-1 text-right font-normal">Served · answered</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((r) => (
                <tr key={r.photoId} className="border-t border-slate-100 align-middle">
                  <td className="px-2 py-1">
                    <button
                      type="button"
                      onClick={() => setOpen(r.photoId)}
                      className="flex items-center gap-2 text-left text-blue-700 hover:underline"
                      aria-label={`Open known-answer photo ${r.photoId}`}
                    >
                      <Thumb
                        contentHash={r.contentHash}
                        alt={r.title || `Photo ${r.photoId}`}
                        className="h-12 w-16 shrink-0 rounded"
                      />
                      <span className="break-all">{r.photoId}</span>
                    </button>
                  </td>
                  <td className="px-2 py-1">{spotLabelName(r.answer)}</td>
                  <td className="max-w-72 px-2 py-1 break-words">
                    <bdi>{r.reason}</bdi>
                  </td>
                  <td className="px-2 py-1 whitespace-nowrap">
                    <bdi>{r.markedBy}</bdi>, {r.markedAt.slice(0, 10)}
                  </td>
                  <td className="px-2 py-1 text-right tabular-nums">
                    {r.items} · {r.answers}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <PhotoDrawer photoId={open} onClose={() => setOpen(null)}>
        {open && <KnownPhotoAnswer photoId={open} />}
      </PhotoDrawer>
    </section>
  );
}
