import { ColumnChart } from '@/components/charts/ColumnChart';
import { Histogram } from '@/components/charts/Histogram';
import { SplitBar } from '@/components/charts/SplitBar';
import { BarList } from '@/components/ui/BarList';
import { ReviewProgressPanel } from '@/components/ui/ReviewProgressPanel';
import { StatCard } from '@/components/ui/StatCard';
import { requirePageUser } from '@/lib/auth/guard';
import { CHECKS, isCheckName } from '@/lib/checks';
import { env } from '@/lib/env';
import { getDatasetCounts, getIngestOverTime, getScoreHistograms } from '@/lib/queries/dashboard';
import { getReviewProgress } from '@/lib/queries/reviewProgress';
import { getReviewQuality } from '@/lib/queries/reviewQuality';
import { ReviewQualityLine } from '@/components/ui/ReviewQualityLine';
import { reasonLabel } from '@/lib/reasons';
import { SummaryFreshnessLine } from './SummaryFreshnessLine';

export const dynamic = 'force-dynamic';

const SAMPLED = 'Estimated from a random sample of the table.';

export default async function DashboardPage() {
  const user = await requirePageUser(undefined, '/');
  const [counts, histograms, ingest, review, quality] = await Promise.all([
    getDatasetCounts(env.FLICKR_LICENSES.map(Number)),
    getScoreHistograms(),
    getIngestOverTime(),
    getReviewProgress(env.REVIEW_TOP_ACCOUNTS),
    getReviewQuality(
      { share: env.REVIEW_DOUBLE_SHARE, topN: env.REVIEW_TOP_ACCOUNTS },
      { adjudicationLimit: 0 },
    ),
  ]);
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Dataset</h1>
      <dl className="grid grid-cols-2 gap-3 md:grid-cols-4">
        <StatCard label="Photos ingested" value={counts.photos} />
        <StatCard label="Accounts" value={counts.accounts} />
        <StatCard label="Included" value={counts.included} hint="By the inclusion rule" />
        <StatCard label="Excluded" value={counts.excluded} />
      </dl>
      <SummaryFreshnessLine f={counts.freshness} />
      <section className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="split-h">
        <h2 id="split-h" className="mb-3 font-medium">
          Included vs excluded
        </h2>
        <SplitBar
          label="Photos included and excluded"
          parts={[
            { label: 'Included', value: counts.included, className: 'bg-emerald-600' },
            { label: 'Excluded', value: counts.excluded, className: 'bg-slate-400' },
          ]}
        />
      </section>
      <ReviewProgressPanel p={review} />
      <ReviewQualityLine q={quality} linked={user.role === 'admin'} />
      <section className="rounded-lg border border-slate-200 bg-white p-4" aria-labelledby="reasons-h">
        <h2 id="reasons-h" className="mb-3 font-medium">
          Excluded by reason
        </h2>
        <p className="mb-3 text-xs text-slate-500">A photo excluded for several reasons counts under each.</p>
        <BarList
          label="Excluded photos by reason"
          items={counts.reasons.map((r) => ({ label: reasonLabel(r.reason), value: r.count }))}
        />
      </section>
      <section aria-labelledby="scores-h">
        <h2 id="scores-h" className="mb-3 font-medium">
          Scores by check
        </h2>
        {histograms.length === 0 ? (
          <p className="text-sm text-slate-500">No check has scored a photo yet.</p>
        ) : (
          <div className="grid gap-3 md:grid-cols-2 xl:grid-cols-4">
            {histograms.map((h) => (
              <Histogram
                key={h.check}
                title={isCheckName(h.check) ? CHECKS[h.check].label : h.check}
                buckets={h.buckets}
                min={h.min}
                max={h.max}
                note={h.sampled ? SAMPLED : undefined}
              />
            ))}
          </div>
        )}
      </section>
      <section aria-labelledby="ingest-h" className="grid gap-3 lg:grid-cols-2">
        <h2 id="ingest-h" className="sr-only">
          Ingest over time
        </h2>
        <ColumnChart
          title="Uploads by month"
          points={ingest.uploaded.points}
          note={ingest.uploaded.sampled ? SAMPLED : undefined}
        />
        <ColumnChart
          title="Ingested per day"
          points={ingest.ingested.points}
          note={ingest.ingested.sampled ? SAMPLED : undefined}
        />
      </section>
    </div>
  );
}
