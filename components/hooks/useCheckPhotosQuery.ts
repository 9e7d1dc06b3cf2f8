'use client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { CheckPhotoFilter, CheckPhotoPage } from '@/lib/queries/overrides';
import { fetchJson } from './fetchJson';

export function checkPhotosUrl(check: string, f: CheckPhotoFilter): string {
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(f)) if (v !== undefined && v !== '') qs.set(k, String(v));
  return `/api/checks/${encodeURIComponent(check)}?${qs}`;
}

export function useCheckPhotosQuery(check: string, filter: CheckPhotoFilter) {
  return useQuery({
    queryKey: ['checkPhotos', { check, ...filter }],
    queryFn: () => fetchJson<CheckPhotoPage>(checkPhotosUrl(check, filter)),
    placeholderData: keepPreviousData,
  });
}
