'use client';
import { useQuery } from '@tanstack/react-query';
import type { GoldPhotoListRow } from '@/lib/queries/goldPhotos';
import { fetchJson } from './fetchJson';

/** Admins only: every known-answer photo. */
export function useGoldPhotosQuery() {
  return useQuery({
    queryKey: ['goldPhotos'],
    queryFn: async () => (await fetchJson<{ data: GoldPhotoListRow[] }>('/api/gold-photos')).data,
  });
}
