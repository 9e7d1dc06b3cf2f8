'use client';
import { useIndexBuildQuery } from '@/components/hooks/useIndexBuildQuery';

/**
 * A line about the similar-photo (ANN) index build while one waits or runs: a build queued while no worker runs would
 * otherwise wait forever in silence, and the duplicate step and "similar photos" wait with it. Nothing when none is.
 */
export function IndexBuildNotice({ className = '' }: { className?: string }) {
  const { data } = useIndexBuildQuery();
  if (!data?.build || !data.message) return null;
  const stuck = data.build.workers === 0 && data.build.state !== 'running';
  return (
    <p
      role="status"
      className={`rounded border px-3 py-2 text-sm ${stuck ? 'border-amber-400 bg-amber-50 text-amber-900' : 'border-slate-200 bg-slate-50 text-slate-700'} ${className}`}
    >
      <span className="font-medium">Similar-photo index: </span>
      {data.message}
    </p>
  );
}
