'use client';
import { useQuery } from '@tanstack/react-query';
import type { SimilarPhotos } from '@/pipeline/clip/similarPhotos';
import { fetchJson } from './fetchJson';

export function useSimilarPhotosQuery(id: string | null) {
  return useQuery({
    queryKey: ['similarPhotos', { id }],
    queryFn: () => fetchJson<SimilarPhotos>(`/api/photos/${encodeURIComponent(id!)}/similar?k=12`),
    enabled: id !== null,
  });
}
