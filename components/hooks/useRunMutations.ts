'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { fetchJson } from './fetchJson';

export type RunInputBody = {
  stages: string[];
  from?: string;
  to?: string;
  licenses?: number[];
  limit?: number;
  batchSize?: number;
  thresholds?: Record<string, number>;
  exportFormats?: string[];
};

export function useStartRunMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: RunInputBody) =>
      fetchJson<{ id: string }>('/api/runs', { method: 'POST', json: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['runs'] }),
  });
}

export function useRunActionMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({ id, action }: { id: string; action: 'cancel' | 'resume' | 'retry-failed' }) =>
      fetchJson(`/api/runs/${id}/${action}`, { method: 'POST' }),
    onSettled: () => qc.invalidateQueries({ queryKey: ['runs'] }),
  });
}
