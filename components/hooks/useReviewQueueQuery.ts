'use client';
import { keepPreviousData, useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import type { QueuePage } from '@/lib/queries/review';
import type { QueueOrder } from '@/lib/reviewVocabulary';
import { fetchJson } from './fetchJson';

export type QueueParams = {
  order: QueueOrder;
  status?: 'pending' | 'approved' | 'rejected';
  page: number;
  pageSize: number;
};

/** How long after the queue opens a lease shown as the reviewer's own may be one their review page is still releasing. */
const JUST_LEFT_MS = 30_000;

export function useReviewQueueQuery(params: QueueParams) {
  const [openedAt] = useState(() => Date.now());
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
    // Coming from a review page, its leave beacon may land after the first fetch, which then shows the reviewer holding
    // the accounts they just left: read again every 2 s while that can be so, else every 30 s.
    refetchInterval: (q) =>
      Date.now() - openedAt < JUST_LEFT_MS && q.state.data?.data.some((r) => r.leaseMine) ? 2_000 : 30_000,
  });
}
