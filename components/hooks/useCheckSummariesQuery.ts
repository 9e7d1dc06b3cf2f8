'use client';
import { useQuery } from '@tanstack/react-query';
import type { CheckSummary } from '@/lib/queries/overrides';
import { fetchJson } from './fetchJson';

export function useCheckSummariesQuery() {
  return useQuery({
    queryKey: ['checks'],
    queryFn: () => fetchJson<{ data: CheckSummary[] }>('/api/checks').then((r) => r.data),
  });
}
