'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { fetchJson } from './fetchJson';

export function useStartExportMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { formats: string[]; allowPartial?: boolean }) =>
      fetchJson<{ runId: string }>('/api/exports', { method: 'POST', json: input }),
    onSuccess: () => {
      void qc.invalidateQueries({ queryKey: ['exports'] });
      void qc.invalidateQueries({ queryKey: ['runs'] });
    },
  });
}
