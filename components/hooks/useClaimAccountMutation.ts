'use client';
import { useMutation } from '@tanstack/react-query';
import type { Lease } from '@/lib/queries/review';
import type { QueueOrder } from '@/lib/reviewVocabulary';
import { fetchJson } from './fetchJson';

export function claimAccount(order: QueueOrder): Promise<{ lease: Lease | null }> {
  return fetchJson<{ lease: Lease | null }>('/api/accounts/claim', { method: 'POST', json: { order } });
}

export function useClaimAccountMutation() {
  return useMutation({ mutationFn: claimAccount });
}
