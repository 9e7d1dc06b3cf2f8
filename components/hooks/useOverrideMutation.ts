'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { CheckPhotoPage, OverrideResult } from '@/lib/queries/overrides';
import { fetchJson } from './fetchJson';

export type OverrideVars = {
  photoIds: string[];
  check: string;
  newVerdict: 'pass' | 'fail';
  reason?: string;
  requestId: string;
};

/** Overrides one photo or many; check grids show the new verdict at once and roll back if the server refuses. */
export function useOverrideMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: OverrideVars) => fetchJson<OverrideResult>('/api/overrides', { method: 'POST', json: v }),
    onMutate: async (v) => {
      await qc.cancelQueries({ queryKey: ['checkPhotos'] });
      const snapshot = qc.getQueriesData<CheckPhotoPage>({ queryKey: ['checkPhotos', { check: v.check }] });
      const ids = new Set(v.photoIds);
      for (const [key, page] of snapshot) {
        if (!page) continue;
        qc.setQueryData<CheckPhotoPage>(key, {
          ...page,
          data: page.data.map((p) =>
            ids.has(p.photoId)
              ? {
                  ...p,
                  effective: v.newVerdict,
                  override: { verdict: v.newVerdict, by: 'you', at: new Date().toISOString() },
                }
              : p,
          ),
        });
      }
      return { snapshot };
    },
    onError: (_e, _v, ctx) => {
      for (const [key, page] of ctx?.snapshot ?? []) qc.setQueryData(key, page);
    },
    onSettled: (_d, _e, v) => {
      void qc.invalidateQueries({ queryKey: ['checkPhotos'] });
      void qc.invalidateQueries({ queryKey: ['checks'] });
      for (const id of v.photoIds) void qc.invalidateQueries({ queryKey: ['photo', { id }] });
      void qc.invalidateQueries({ queryKey: ['account'] });
    },
  });
}
