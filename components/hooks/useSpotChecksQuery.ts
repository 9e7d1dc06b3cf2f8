'use client';
import { useQuery } from '@tanstack/react-query';
import type { SpotCheckRow } from '@/lib/queries/spotChecks';
import type { Estimate } from '@/lib/stats/spotEstimates';
import { fetchJson } from './fetchJson';

export type SpotCheckTrendRow = { spotCheck: SpotCheckRow; estimates: Estimate[] };

export function useSpotChecksQuery() {
  return useQuery({
    queryKey: ['spotChecks'],
    queryFn: () => fetchJson<{ data: SpotCheckTrendRow[] }>('/api/spot-checks').then((r) => r.data),
  });
}
