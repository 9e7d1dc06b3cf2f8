'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { DecisionResult } from '@/lib/queries/decisions';
import { accountReviewOptions } from './useAccountReviewQuery';
import { fetchJson } from './fetchJson';

export type UndoVars = { requestId: string; decisionId?: string; nsid?: string };

/** Undoes the reviewer's newest standing decision; when the account is known, its page flips back to pending at once. */
export function useUndoDecisionMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: ['decide'],
    // One queue for decisions and undos: an undo never overtakes the decision it undoes.
    scope: { id: 'review-decisions' },
    mutationFn: ({ requestId, decisionId }: UndoVars) =>
      fetchJson<DecisionResult>('/api/accounts/undo', { method: 'POST', json: { requestId, decisionId } }),
    onMutate: async (v) => {
      if (!v.nsid) return { previous: undefined };
      const { queryKey } = accountReviewOptions(v.nsid);
      await qc.cancelQueries({ queryKey });
      const previous = qc.getQueryData(queryKey);
      if (previous)
        qc.setQueryData(queryKey, {
          ...previous,
          account: { ...previous.account, reviewStatus: 'pending', reviewReason: null },
        });
      return { previous };
    },
    onError: (_e, v, ctx) => {
      if (v.nsid && ctx?.previous) qc.setQueryData(accountReviewOptions(v.nsid).queryKey, ctx.previous);
    },
    onSettled: (data, _e, v) => {
      const nsid = data?.account.nsid ?? v.nsid;
      if (nsid) void qc.invalidateQueries({ queryKey: ['account', { nsid }] });
      void qc.invalidateQueries({ queryKey: ['queue'] });
      void qc.invalidateQueries({ queryKey: ['lastDecision'] });
    },
  });
}
