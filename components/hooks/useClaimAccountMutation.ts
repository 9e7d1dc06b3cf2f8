'use client';
import { useMutation } from '@tanstack/react-query';
import type { Lease } from '@/lib/queries/review';
import type { QueueOrder } from '@/lib/reviewVocabulary';
import { fetchJson } from './fetchJson';

/** `pageToken`: the review page's token, so leaving the page ends this lease even if the claim lands late. */
export function claimAccount(order: QueueOrder, pageToken?: string): Promise<{ lease: Lease | null }> {
  return fetchJson<{ lease: Lease | null }>('/api/accounts/claim', {
    method: 'POST',
    json: { order, pageToken },
  });
}

export function useClaimAccountMutation() {
  return useMutation({ mutationFn: (order: QueueOrder) => claimAccount(order) });
}
