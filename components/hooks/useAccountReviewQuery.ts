'use client';
import { queryOptions, useQuery } from '@tanstack/react-query';
import type { DecisionRow } from '@/lib/queries/decisions';
import type { AccountReview } from '@/lib/queries/review';
import { fetchJson } from './fetchJson';

export type AccountReviewData = AccountReview & { decisions: DecisionRow[] };

/** Shared with prefetchQuery, so the next account's page is in the cache before the reviewer gets there. */
export function accountReviewOptions(nsid: string) {
  return queryOptions({
    queryKey: ['account', { nsid }],
    queryFn: () => fetchJson<AccountReviewData>(`/api/accounts/${encodeURIComponent(nsid)}`),
    staleTime: 60_000,
  });
}

export function useAccountReviewQuery(nsid: string) {
  return useQuery(accountReviewOptions(nsid));
}
