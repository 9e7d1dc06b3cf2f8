import { requirePageUser } from '@/lib/auth/guard';
import { env } from '@/lib/env';
import { goldAccuracy } from '@/lib/queries/gold';
import { goldPhotoAccuracy } from '@/lib/queries/goldPhotos';
import { getReviewQuality } from '@/lib/queries/reviewQuality';
import { percent } from '@/components/review/agreementText';
import { AccuracyTable } from './AccuracyTable';
import { AdjudicationQueue } from './AdjudicationQueue';
import { AgreementTable } from './AgreementTable';
import { GoldPhotoList } from './GoldPhotoList';
import { PaceTable } from './PaceTable';

export const dynamic = 'force-dynamic';

const count = (n: number, what: string) => `${n.toLocaleString('en-US')} ${what}${n === 1 ? '' : 's'}`;

export default async function QualityPage() {
  await requirePageUser('admin', '/quality');
  const [q, gold, goldPhotos] = await Promise.all([
    getReviewQuality({ share: env.REVIEW_DOUBLE_SHARE, topN: env.REVIEW_TOP_ACCOUNTS }),
    goldAccuracy(),
    goldPhotoAccuracy(),
  ]);
  return (
    <div className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">Review quality</h1>
        <p className="mt-1 text-sm text-slate-600">
          {q.share > 0 ? (
            <>
              {(100 * q.share).toFixed(1)}% of the top {q.topN.toLocaleString('en-US')} accounts are reviewed
              twice, blind (the same accounts on every run: a hash of the account id).{' '}
            </>
          ) : (
            <>Double review is off (REVIEW_DOUBLE_SHARE = 0). </>
          )}
          {q.awaitingSecond.toLocaleString('en-US')} waiting for a second review ·{' '}
          {q.awaitingAdjudication.toLocaleString('en-US')} waiting for adjudication.
        </p>
      </div>
      <AdjudicationQueue items={q.adjudication} total={q.awaitingAdjudication} />
      <AgreementTable overall={q.overall} pairs={q.pairs} />
      <div className="grid gap-6 2xl:grid-cols-2">
        <AccuracyTable
          id="gold-h"
          title="Known answers"
          summary={`${count(gold.accounts, 'account')}, served at ${percent(env.REVIEW_GOLD_RATE)} of claims`}
          intro="Admins mark an account's known answer on its page. A reviewer's decision on one scores them here and never changes the dataset."
          label="Accuracy on known answers"
          columns={{
            overall: 'Right on approve or reject (95% interval)',
            detail: 'Right reason (both reject)',
          }}
          rows={gold.reviewers.map((r) => ({ name: r.name, overall: r.accuracy, detail: r.reasonAccuracy }))}
          empty="No answers to known-answer accounts yet."
        />
        <AccuracyTable
          id="gold-photo-h"
          title="Known-answer photos"
          summary={`${count(goldPhotos.photos, 'photo')}, ${percent(env.REVIEW_GOLD_RATE)} of each new spot-check`}
          intro="Admins mark a photo's known answer in its details drawer. Labels on the ones mixed into a spot-check score the labeller here and are left out of the spot-check's estimates."
          label="Accuracy on known-answer photos"
          columns={{
            overall: 'Right on fine or a problem (95% interval)',
            detail: 'Right problem (both say one)',
          }}
          rows={goldPhotos.reviewers.map((r) => ({
            name: r.name,
            overall: r.accuracy,
            detail: r.labelAccuracy,
          }))}
          empty="No labels on known-answer photos yet."
        />
      </div>
      <GoldPhotoList />
      <PaceTable pace={q.pace} topN={q.topN} />
    </div>
  );
}
