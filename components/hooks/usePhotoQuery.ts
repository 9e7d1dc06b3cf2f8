'use client';
import { useQuery } from '@tanstack/react-query';
import type { PhotoDetail } from '@/lib/queries/photos';
import { fetchJson } from './fetchJson';

export function usePhotoQuery(id: string | null) {
  return useQuery({
    queryKey: ['photo', { id }],
    queryFn: () => fetchJson<PhotoDetail>(`/api/photos/${encodeURIComponent(id!)}`),
    enabled: id !== null,
  });
}
