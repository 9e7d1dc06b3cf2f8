'use client';
import { useQuery } from '@tanstack/react-query';
import type { GoldPhotoState } from '@/lib/queries/goldPhotos';
import { fetchJson } from './fetchJson';

/** Admins only: a photo's known answer and its history. */
export function useGoldPhotoQuery(id: string | null) {
  return useQuery({
    queryKey: ['goldPhoto', { id }],
    queryFn: () => fetchJson<GoldPhotoState>(`/api/photos/${encodeURIComponent(id!)}/gold`),
    enabled: id !== null,
  });
}
