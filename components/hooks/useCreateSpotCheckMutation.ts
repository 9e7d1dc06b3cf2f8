'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { SpotCheckRow } from '@/lib/queries/spotChecks';
import { fetchJson } from './fetchJson';

export type NewSpotCheck = { name: string; population: 'included' | 'all'; size: number; seed?: string };

export function useCreateSpotCheckMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: NewSpotCheck) =>
      fetchJson<{ spotCheck: SpotCheckRow }>('/api/spot-checks', { method: 'POST', json: input }).then(
        (r) => r.spotCheck,
      ),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['spotChecks'] }),
  });
}
