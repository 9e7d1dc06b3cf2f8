import { percent, shareText as share } from '@/components/review/agreementText';
import type { GoldPhotoScore } from '@/lib/queries/goldPhotos';

/** Each reviewer's accuracy on known-answer photos mixed into spot-checks, with Wilson 95% intervals. */
export function GoldPhotoTable({
  photos,
  reviewers,
  rate,
}: {
  photos: number;
  reviewers: GoldPhotoScore[];
  rate: number;
}) {
  return (
    <section className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="gold-photo-h">
      <h2 id="gold-photo-h" className="font-medium">
        Known-answer photos{' '}
        <span className="font-normal text-slate-500">
          · {photos.toLocaleString('en-US')} {photos === 1 ? 'photo' : 'photos'}, {percent(rate)} of each new
          spot-check
        </span>
      </h2>
      <p className="mb-3 text-xs text-slate-500">
        Admins mark a photo&apos;s known answer in its details drawer. Labels on the ones mixed into a
        spot-check score the labeller here and are left out of the spot-check&apos;s estimates.
      </p>
      {reviewers.length === 0 ? (
        <p className="text-sm text-slate-500">No labels on known-answer photos yet.</p>
      ) : (
        <table className="w-full max-w-3xl text-sm" aria-label="Accuracy on known-answer photos">
          <thead className="text-left text-slate-500">
            <tr>
              <th className="px-2 py-1 font-normal">Reviewer</th>
              <th className="px-2 py-1 font-normal">Right on fine or a problem (95% interval)</th>
              <th className="px-2 py-1 font-normal">Right problem (both say one)</th>
            </tr>
          </thead>
          <tbody>
            {reviewers.map((r) => (
              <tr key={r.name} className="border-t border-slate-100">
                <th scope="row" className="px-2 py-1 text-left font-normal">
                  <bdi>{r.name}</bdi>
                </th>
                <td className="px-2 py-1 tabular-nums">{share(r.accuracy)}</td>
                <td className="px-2 py-1 tabular-nums">{share(r.labelAccuracy)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
