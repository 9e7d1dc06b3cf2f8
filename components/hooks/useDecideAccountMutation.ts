'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import type { DecisionResult } from '@/lib/queries/decisions';
import type { RejectReason } from '@/lib/reviewVocabulary';
import { accountReviewOptions } from './useAccountReviewQuery';
import { fetchJson } from './fetchJson';

export type DecideVars = {
  nsid: string;
  decision: 'approve' | 'reject';
  reason?: RejectReason;
  note?: string;
  requestId: string;
  expectedStatus?: 'pending' | 'approved' | 'rejected';
  userName?: string;
};

/** Approve/reject, shown at once (optimistic) and rolled back if the server refuses it. */
export function useDecideAccountMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationKey: ['decide'],
    // One queue for decisions and undos: an undo never overtakes the decision it undoes.
    scope: { id: 'review-decisions' },
    mutationFn: ({ nsid, userName: _u, ...body }: DecideVars) =>
      fetchJson<DecisionResult>(`/api/accounts/${encodeURIComponent(nsid)}/decisions`, {
        method: 'POST',
        json: body,
      }),
    onMutate: async (v) => {
      const { queryKey } = accountReviewOptions(v.nsid);
      await qc.cancelQueries({ queryKey });
      const previous = qc.getQueryData(queryKey);
      if (previous) {
        qc.setQueryData(queryKey, {
          ...previous,
          account: {
            ...previous.account,
            reviewStatus: v.decision === 'approve' ? 'approved' : 'rejected',
            reviewReason: v.reason ?? null,
          },
          lease: { holder: null, mine: false, expiresAt: null },
          decisions: [
            {
              id: `pending-${v.requestId}`,
              accountNsid: v.nsid,
              userId: '',
              userName: v.userName ?? 'you',
              decision: v.decision,
              reason: v.reason ?? null,
              note: v.note ?? null,
              undoesId: null,
              createdAt: new Date().toISOString(),
              round: 1,
            },
            ...previous.decisions,
          ],
        });
      }
      return { previous };
    },
    onError: (_e, v, ctx) => {
      if (ctx?.previous) qc.setQueryData(accountReviewOptions(v.nsid).queryKey, ctx.previous);
    },
    onSettled: (_d, _e, v) => {
      void qc.invalidateQueries({ queryKey: ['account', { nsid: v.nsid }] });
      void qc.invalidateQueries({ queryKey: ['queue'] });
      void qc.invalidateQueries({ queryKey: ['lastDecision'] });
    },
  });
}
