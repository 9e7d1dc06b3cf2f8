'use client';
import { useQuery } from '@tanstack/react-query';
import type { Lease } from '@/lib/queries/review';
import type { QueueOrder } from '@/lib/reviewVocabulary';
import { fetchJson } from './fetchJson';

/**
 * Reserves the account after this one (a lease, so no other reviewer is shown it), leaving out the one on screen and
 * those just decided; the page prefetches its data so a decision moves on at once.
 */
export function useNextAccountQuery(
  order: QueueOrder,
  exclude: string[],
  enabled: boolean,
  pageToken: () => string,
) {
  return useQuery({
    queryKey: ['nextAccount', { order, exclude }],
    queryFn: () =>
      fetchJson<{ lease: Lease | null }>('/api/accounts/claim', {
        method: 'POST',
        json: { order, exclude, pageToken: pageToken() },
      }).then((r) => r.lease?.nsid ?? null),
    enabled,
    staleTime: 60_000,
    gcTime: 0,
  });
}
