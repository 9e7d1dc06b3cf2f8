'use client';
import { useQuery } from '@tanstack/react-query';
import type { SpotCheckDetail } from '@/lib/queries/spotChecks';
import { fetchJson } from './fetchJson';

export function useSpotCheckQuery(id: string) {
  return useQuery({
    queryKey: ['spotCheck', { id }],
    queryFn: () => fetchJson<SpotCheckDetail>(`/api/spot-checks/${encodeURIComponent(id)}`),
  });
}
