'use client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import type { QueuePage } from '@/lib/queries/review';
import type { QueueOrder } from '@/lib/reviewVocabulary';
import { fetchJson } from './fetchJson';

export type QueueParams = {
  order: QueueOrder;
  status?: 'pending' | 'approved' | 'rejected';
  page: number;
  pageSize: number;
};

export function useReviewQueueQuery(params: QueueParams) {
  const qs = new URLSearchParams({
    order: params.order,
    page: String(params.page),
    pageSize: String(params.pageSize),
  });
  if (params.status) qs.set('status', params.status);
  return useQuery({
    queryKey: ['queue', params],
    queryFn: () => fetchJson<QueuePage>(`/api/accounts?${qs}`),
    placeholderData: keepPreviousData,
    refetchInterval: 30_000,
  });
}
