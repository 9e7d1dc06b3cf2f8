'use client';
import { useRunsQuery } from '@/components/hooks/useRunsQuery';
import type { Thresholds } from '@/pipeline/runs/config';
import { IndexBuildNotice } from './IndexBuildNotice';
import { RunCard } from './RunCard';
import { StartRunForm } from './StartRunForm';

/** The Runs page: the start form and every run with live progress (polled while one is active). */
export function RunsPanel({
  defaultLicenses,
  defaultThresholds,
}: {
  defaultLicenses: number[];
  defaultThresholds: Thresholds;
}) {
  const runs = useRunsQuery();
  return (
    <div className="space-y-6">
      <StartRunForm defaultLicenses={defaultLicenses} defaultThresholds={defaultThresholds} />
      <IndexBuildNotice />
      <section aria-labelledby="runs-h" className="space-y-3">
        <h2 id="runs-h" className="font-medium">
          History{runs.data ? ` (${runs.data.total})` : ''}
        </h2>
        {runs.isPending && <p className="text-sm text-slate-500">Loading…</p>}
        {runs.error && (
          <p role="alert" className="text-sm text-red-800">
            {runs.error.message}
          </p>
        )}
        {runs.data?.data.length === 0 && <p className="text-slate-600">No pipeline runs yet.</p>}
        {runs.data?.data.map((r) => (
          <RunCard key={r.id} run={r} />
        ))}
      </section>
    </div>
  );
}
