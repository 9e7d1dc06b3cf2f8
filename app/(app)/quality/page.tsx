import { requirePageUser } from '@/lib/auth/guard';
import { env } from '@/lib/env';
import { goldAccuracy } from '@/lib/queries/gold';
import { goldPhotoAccuracy } from '@/lib/queries/goldPhotos';
import { getReviewQuality } from '@/lib/queries/reviewQuality';
import { AdjudicationQueue } from './AdjudicationQueue';
import { AgreementTable } from './AgreementTable';
import { GoldPhotoList } from './GoldPhotoList';
import { GoldPhotoTable } from './GoldPhotoTable';
import { GoldTable } from './GoldTable';
import { PaceTable } from './PaceTable';

export const dynamic = 'force-dynamic';

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
        <GoldTable accounts={gold.accounts} reviewers={gold.reviewers} rate={env.REVIEW_GOLD_RATE} />
        <GoldPhotoTable
          photos={goldPhotos.photos}
          reviewers={goldPhotos.reviewers}
          rate={env.REVIEW_GOLD_RATE}
        />
      </div>
      <GoldPhotoList />
      <PaceTable pace={q.pace} topN={q.topN} />
    </div>
  );
}
