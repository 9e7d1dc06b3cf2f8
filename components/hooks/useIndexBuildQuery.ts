'use client';
import { useQuery } from '@tanstack/react-query';
import type { AnnBuildWait } from '@/pipeline/runs/annBuildWait';
import { fetchJson } from './fetchJson';

export type IndexBuildAnswer = { build: AnnBuildWait | null; message: string | null };

/** The similar-photo index build nobody may be taking: polled, as a queued build can wait for hours. */
export function useIndexBuildQuery() {
  return useQuery({
    queryKey: ['indexBuild'],
    queryFn: () => fetchJson<IndexBuildAnswer>('/api/index-build'),
    refetchInterval: 15_000,
  });
}
