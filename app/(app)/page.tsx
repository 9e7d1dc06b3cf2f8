import { BarList } from '@/components/ui/BarList';
import { StatCard } from '@/components/ui/StatCard';
import { requirePageUser } from '@/lib/auth/guard';
import { env } from '@/lib/env';
import { getDatasetCounts } from '@/lib/queries/dashboard';
import { reasonLabel } from '@/lib/reasons';

export const dynamic = 'force-dynamic';

export default async function DashboardPage() {
  await requirePageUser(undefined, '/');
  const counts = await getDatasetCounts(env.FLICKR_LICENSES.map(Number));
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Dataset</h1>
      <dl className="grid grid-cols-2 gap-3 md:grid-cols-4">
        <StatCard label="Photos ingested" value={counts.photos} />
        <StatCard label="Accounts" value={counts.accounts} />
        <StatCard label="Included" value={counts.included} hint="By the inclusion rule" />
        <StatCard label="Excluded" value={counts.excluded} />
      </dl>
      <section className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="mb-3 font-medium">Excluded by reason</h2>
        <p className="mb-3 text-xs text-slate-500">A photo excluded for several reasons counts under each.</p>
        <BarList label="Excluded photos by reason" items={counts.reasons.map((r) => ({ label: reasonLabel(r.reason), value: r.count }))} />
      </section>
    </div>
  );
}
