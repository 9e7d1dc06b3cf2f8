'use client';
import { useQuery } from '@tanstack/react-query';
import type { DecisionRow } from '@/lib/queries/decisions';
import { fetchJson } from './fetchJson';

/** The reviewer's newest standing decision: what Z undoes, known even after a reload. */
export function useLastDecisionQuery() {
  return useQuery({
    queryKey: ['lastDecision'],
    queryFn: () => fetchJson<{ decision: DecisionRow | null }>('/api/accounts/undo').then((r) => r.decision),
  });
}
