'use client';
import { useQuery } from '@tanstack/react-query';
import type { RunView } from '@/lib/queries/runs';
import { fetchJson } from './fetchJson';

export type RunsPage = { data: RunView[]; total: number; page: number; pageSize: number };

const live = (r: RunView) => r.status === 'queued' || r.status === 'running';

/** Every second while a run is queued or running (progress stays live), every 10 s otherwise (runs started from the CLI). */
export function useRunsQuery(page = 1) {
  return useQuery({
    queryKey: ['runs', { page }],
    queryFn: () => fetchJson<RunsPage>(`/api/runs?page=${page}&pageSize=20`),
    refetchInterval: (q) => (q.state.data?.data.some(live) ? 1000 : 10_000),
    staleTime: 0,
  });
}
