'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { SpotCheckDetail } from '@/lib/queries/spotChecks';
import { estimatesFrom } from '@/lib/stats/spotEstimates';
import type { SpotLabel } from '@/lib/reviewVocabulary';
import { fetchJson } from './fetchJson';

export type LabelVars = { spotCheckId: string; photoId: string; labels: SpotLabel[]; requestId: string };

// One chain per photo: two quick toggles of a photo reach the server in order (the newest label set wins), while
// different photos are saved in parallel.
const chains = new Map<string, Promise<unknown>>();

function send({ spotCheckId, ...body }: LabelVars) {
  const key = `${spotCheckId}/${body.photoId}`;
  const run = (chains.get(key) ?? Promise.resolve())
    .catch(() => {})
    .then(() =>
      fetchJson<{ photoId: string; labels: string[]; labelledAt: string }>(
        `/api/spot-checks/${encodeURIComponent(spotCheckId)}/labels`,
        { method: 'POST', json: body },
      ),
    );
  chains.set(key, run);
  void run
    .finally(() => {
      if (chains.get(key) === run) chains.delete(key);
    })
    .catch(() => {});
  return run;
}

/** Saves an item's labels; the item and the estimate table update at once and roll back on error. */
export function useLabelSpotItemMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: send,
    onMutate: async (v) => {
      const queryKey = ['spotCheck', { id: v.spotCheckId }];
      await qc.cancelQueries({ queryKey });
      const previous = qc.getQueryData<SpotCheckDetail>(queryKey);
      if (previous) {
        const items = previous.items.map((i) =>
          i.photoId === v.photoId ? { ...i, labels: v.labels, labelledAt: new Date().toISOString() } : i,
        );
        qc.setQueryData<SpotCheckDetail>(queryKey, {
          ...previous,
          items,
          spotCheck: {
            ...previous.spotCheck,
            labelled: items.filter((i) => (i.labels ?? []).length > 0).length,
          },
          // Known-answer items (flagged for admins only) never count; a reviewer shown no estimates gets none.
          estimates:
            previous.estimates &&
            estimatesFrom(
              items.filter((i) => !i.gold).map((i) => i.labels ?? []),
              previous.spotCheck.populationSize,
            ),
        });
      }
      return { previous };
    },
    onError: (_e, v, ctx) => {
      if (ctx?.previous) qc.setQueryData(['spotCheck', { id: v.spotCheckId }], ctx.previous);
    },
    onSettled: (_d, _e, v) => {
      // Refetch only when no other label is in flight, so a burst of keystrokes is not overwritten by a stale read.
      if (qc.isMutating({ mutationKey: ['spotLabel'] }) <= 1)
        void qc.invalidateQueries({ queryKey: ['spotCheck', { id: v.spotCheckId }] });
      void qc.invalidateQueries({ queryKey: ['spotChecks'] });
    },
    mutationKey: ['spotLabel'],
  });
}
