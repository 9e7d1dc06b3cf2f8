'use client';
import { useQuery } from '@tanstack/react-query';
import type { ExportView } from '@/lib/queries/exports';
import { fetchJson } from './fetchJson';

export type ExportsPage = { data: ExportView[]; total: number; page: number; pageSize: number };

/** Polls every 2 s while an export is being written, or while `waiting` (an export run was just started). */
export function useExportsQuery(waiting: boolean) {
  return useQuery({
    queryKey: ['exports'],
    queryFn: () => fetchJson<ExportsPage>('/api/exports?pageSize=50'),
    refetchInterval: (q) =>
      waiting || q.state.data?.data.some((e) => e.status === 'running' || e.status === 'queued')
        ? 2000
        : false,
    staleTime: 0,
  });
}
