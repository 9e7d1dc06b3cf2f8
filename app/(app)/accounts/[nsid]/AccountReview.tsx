'use client';
import { useIsMutating, useQueryClient } from '@tanstack/react-query';
import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { useCallback, useEffect, useRef, useState, type ReactNode } from 'react';
import { flushSync } from 'react-dom';
import { accountReviewOptions, useAccountReviewQuery } from '@/components/hooks/useAccountReviewQuery';
import { useAccountLeaseQuery } from '@/components/hooks/useAccountLeaseQuery';
import { claimAccount } from '@/components/hooks/useClaimAccountMutation';
import { useDecideAccountMutation } from '@/components/hooks/useDecideAccountMutation';
import { useLastDecisionQuery } from '@/components/hooks/useLastDecisionQuery';
import { useNextAccountQuery } from '@/components/hooks/useNextAccountQuery';
import { useReleaseLeasesOnLeave } from '@/components/hooks/useReleaseLeasesOnLeave';
import { useUndoDecisionMutation } from '@/components/hooks/useUndoDecisionMutation';
import { ApiError } from '@/components/hooks/fetchJson';
import { PhotoDrawer } from '@/components/review/PhotoDrawer';
import { newRequestId } from '@/components/review/requestId';
import { ShortcutsDialog } from '@/components/review/ShortcutsDialog';
import {
  REJECT_REASONS,
  rejectReasonLabel,
  type QueueOrder,
  type RejectReason,
} from '@/lib/reviewVocabulary';
import type { DecisionResult } from '@/lib/queries/decisions';
import { AccountFacts } from './AccountFacts';
import { AccountLookalikes } from './AccountLookalikes';
import { DecisionPanel } from './DecisionPanel';
import { SampleGrid } from './SampleGrid';
import { KnownAnswer } from './KnownAnswer';
import { SendBack } from './SendBack';
import { useReviewShortcuts } from './useReviewShortcuts';
import { useUnsavedGuard } from '@/components/review/useUnsavedGuard';
import { useDismissToast, useToast } from '@/components/ui/Toaster';

const SHORTCUTS = [
  { keys: 'A', action: 'Approve the account' },
  { keys: 'R then 1–7', action: 'Reject with a reason (7 = other, needs a note)' },
  { keys: 'N', action: 'Write a note for the next decision' },
  { keys: 'J / K, ← → ↑ ↓', action: 'Move through the photos' },
  { keys: 'Space', action: 'Enlarge the photo (details drawer)' },
  { keys: 'Z', action: 'Undo your last decision' },
  { keys: 'Esc', action: 'Cancel / close' },
  { keys: '?', action: 'Show these shortcuts' },
];

type Sent = { nsid: string; label: string; done: Promise<DecisionResult | null> };
type Notice = { kind: 'error' | 'info'; text: ReactNode; nsid?: string } | null;

/** The toast confirming decision `id`, with its Undo: closed once that decision is undone or cannot be any more. */
const decisionToast = (id: string) => `decision:${id}`;
/** Where Z's outcome shows when it undid nothing: one toast, replaced by the next press, not a pile. */
const UNDO_FEEDBACK = 'undo-feedback';

function nsidFromPath(path: string): string {
  return decodeURIComponent(path.split('/')[2] ?? '');
}

/**
 * One account at a time, keyboard first. A decision is sent in the background (optimistic) while the next account,
 * already prefetched, replaces this one at once; the URL follows with history.pushState, so reloads land here.
 */
export function AccountReview({
  order,
  userName,
  isAdmin = false,
}: {
  order: QueueOrder;
  userName: string;
  isAdmin?: boolean;
}) {
  const qc = useQueryClient();
  const pathname = usePathname();
  // The account on screen is state that goTo sets at once; the router's own path catches up in a transition, and a
  // key typed in between must act on the account the reviewer sees.
  const [nsid, setNsid] = useState(() => nsidFromPath(pathname));
  const nsidRef = useRef(nsid);
  nsidRef.current = nsid;
  // Back, forward or a link: the URL changed under us. Read the real one, not a path the router is still catching up to.
  useEffect(() => {
    const actual = nsidFromPath(window.location.pathname);
    if (actual && actual !== nsidRef.current) setNsid(actual);
  }, [pathname]);
  const [active, setActive] = useState(0);
  const [drawer, setDrawer] = useState<string | null>(null);
  const [rejecting, setRejecting] = useState(false);
  const [needsNote, setNeedsNote] = useState(false);
  const [note, setNote] = useState('');
  const [help, setHelp] = useState(false);
  const [notice, setNotice] = useState<Notice>(null);
  const [recent, setRecent] = useState<string[]>([]);
  const [arrivedByQueue, setArrivedByQueue] = useState(false);
  const columns = useRef(8);
  const sent = useRef<Sent[]>([]);
  const noteRef = useRef<HTMLTextAreaElement>(null);
  // Set between a decision and the next account's arrival, so fast keys never decide the old account twice.
  const advancing = useRef(false);
  const rejectingRef = useRef(false);
  rejectingRef.current = rejecting;

  const review = useAccountReviewQuery(nsid);
  const deciding = useIsMutating({ mutationKey: ['decide'] }) > 0;
  const nextRef = useRef<string | null | undefined>(null);
  // While the reservation is being claimed the renewal waits: sent meanwhile it would name no reserved account, and
  // landing after the claim it would release the account just reserved. It runs again once the claim has answered.
  const [reserving, setReserving] = useState(false);
  // This page's lease token (see useReleaseLeasesOnLeave): every claim and renewal carries it.
  const pageToken = useRef<string>('');
  if (!pageToken.current) pageToken.current = newRequestId();
  const tokenNow = useCallback(() => pageToken.current, []);
  const lease = useAccountLeaseQuery(nsid, !deciding && !reserving, () => nextRef.current, tokenNow);
  // Reserve the next account only once this one is ours, so the two leases never race each other.
  const next = useNextAccountQuery(
    order,
    [nsid, ...recent],
    !deciding && lease.data?.held === true,
    tokenNow,
  );
  const claimingNext = next.isFetching;
  useEffect(() => setReserving(claimingNext), [claimingNext]);
  nextRef.current = next.data;
  useReleaseLeasesOnLeave(() => [nsid, nextRef.current], pageToken);
  const decide = useDecideAccountMutation();
  const undo = useUndoDecisionMutation();
  const last = useLastDecisionQuery();
  const toast = useToast();
  const dismissToast = useDismissToast();

  useEffect(() => {
    advancing.current = false;
  }, [nsid]);
  useUnsavedGuard(deciding);

  useEffect(() => {
    if (next.data) void qc.prefetchQuery(accountReviewOptions(next.data));
  }, [next.data, qc]);

  const goTo = useCallback(
    (target: string, how: 'push' | 'replace' = 'push') => {
      const url = `/accounts/${encodeURIComponent(target)}?order=${order}`;
      if (how === 'push') window.history.pushState(null, '', url);
      else window.history.replaceState(null, '', url);
      // Rendered before this returns, so the next key press already finds the new account (and its effects run).
      flushSync(() => {
        setActive(0);
        setRejecting(false);
        setNeedsNote(false);
        setNote('');
        rejectingRef.current = false;
        setNsid(target);
      });
      // The handlers now belong to `target`, so a key can no longer decide the account just left twice.
      advancing.current = false;
    },
    [order],
  );

  // One claim at a time: two overlapping claims could each take an account and leave one leased for nothing.
  const claiming = useRef(false);
  const claimAndGo = useCallback(
    async (how: 'push' | 'replace') => {
      if (claiming.current) return;
      claiming.current = true;
      try {
        await Promise.all(sent.current.map((s) => s.done));
        const res = await claimAccount(order, pageToken.current).catch((e: Error) => {
          setNotice({ kind: 'error', text: e.message });
          return null;
        });
        if (res?.lease) {
          setArrivedByQueue(true);
          goTo(res.lease.nsid, how);
        } else {
          advancing.current = false;
          if (res)
            setNotice({
              kind: 'info',
              text: 'Nothing left to review: every top account is decided or being reviewed.',
            });
        }
      } finally {
        claiming.current = false;
      }
    },
    [goTo, order],
  );

  // The prefetched account may have been taken or decided by someone else since the peek: move on to a fresh claim.
  useEffect(() => {
    const l = lease.data;
    if (!l || !arrivedByQueue) return;
    if (l.held === false || l.status !== 'pending') {
      setArrivedByQueue(false);
      setNotice({
        kind: 'info',
        text: (
          <>
            {l.held || l.decided ? (
              'Another reviewer decided'
            ) : (
              <>
                <bdi>{l.holder ?? 'Another reviewer'}</bdi> took
              </>
            )}{' '}
            {nsid}; moved on.
          </>
        ),
      });
      void claimAndGo('replace');
    } else if (review.data && review.data.account.reviewStatus !== l.status) {
      void qc.invalidateQueries({ queryKey: ['account', { nsid }] });
    }
  }, [lease.data, arrivedByQueue, review.data, nsid, claimAndGo, qc]);

  const data = review.data;
  // A decided account needs no lease to change its decision (the decision itself checks nobody else holds it).
  const canDecide = !!data && (lease.data?.held !== false || lease.data.decided === true);

  function submit(decision: 'approve' | 'reject', reason?: RejectReason) {
    if (!data || !canDecide || advancing.current) return;
    if (decision === 'reject' && reason === 'other' && !note.trim()) {
      setNeedsNote(true);
      noteRef.current?.focus();
      return;
    }
    const decided = nsid;
    const label = data.account.username ?? decided;
    const done = decide
      .mutateAsync({
        nsid: decided,
        decision,
        reason,
        note: note.trim() || undefined,
        requestId: newRequestId(),
        expectedStatus: data.account.reviewStatus,
        userName,
      })
      .catch((e: Error) => {
        setNotice({
          kind: 'error',
          text: (
            <>
              Your decision on <bdi>{label}</bdi> was not saved: {e.message}
            </>
          ),
          nsid: decided,
        });
        return null;
      });
    const entry: Sent = { nsid: decided, label, done };
    void done.then((result) => {
      if (!result) return;
      toast({
        key: decisionToast(result.decision.id),
        text: (
          <>
            {decision === 'approve' ? 'Approved' : `Rejected (${rejectReasonLabel(reason)})`}{' '}
            <bdi className="font-medium">{label}</bdi>
          </>
        ),
        action: {
          label: 'Undo',
          run: () => {
            sent.current = sent.current.filter((s) => s !== entry);
            void undoSent(entry);
          },
        },
      });
    });
    sent.current = [...sent.current.slice(-19), entry];
    setRecent((r) => [decided, ...r.filter((x) => x !== decided)].slice(0, 20));
    setNotice(null);
    advancing.current = true;
    if (next.data) {
      setArrivedByQueue(true);
      goTo(next.data);
    } else void claimAndGo('push');
  }

  // Whatever the outcome, decision `decisionId` is no longer undoable: its toast's Undo goes, and the outcome shows in
  // the same corner (a failure too: it used to appear only at the top of the page while the stale Undo stayed).
  const undone = (label: string, decisionId: string) => ({
    // An earlier decision may stand again (someone else's before the one undone): say which status it is back to.
    onSuccess: (r: DecisionResult) => {
      dismissToast(decisionToast(decisionId));
      toast({
        kind: 'info' as const,
        key: UNDO_FEEDBACK,
        text: (
          <>
            Undone: <bdi className="font-medium">{label}</bdi> is {r.account.reviewStatus} again
          </>
        ),
      });
    },
    onError: (e: Error) => {
      dismissToast(decisionToast(decisionId));
      void qc.invalidateQueries({ queryKey: ['lastDecision'] });
      toast({
        kind: 'error',
        key: UNDO_FEEDBACK,
        text: (
          <>
            Undo failed for <bdi className="font-medium">{label}</bdi>: {e.message}
            {isNothingToUndo(e) ? ' (it was already undone)' : ''}
          </>
        ),
      });
    },
  });

  async function undoSent(local: Sent) {
    advancing.current = false;
    goTo(local.nsid);
    setArrivedByQueue(false);
    setRecent((r) => r.filter((x) => x !== local.nsid));
    const result = await local.done;
    if (!result) return; // it never landed, so there is nothing to undo
    undo.mutate(
      { requestId: newRequestId(), decisionId: result.decision.id, nsid: local.nsid },
      undone(local.label, result.decision.id),
    );
  }

  async function undoLast() {
    advancing.current = false;
    const local = sent.current.pop();
    if (local) {
      await undoSent(local);
      return;
    }
    // Not one of this page's decisions: the server's newest standing one, asked afresh (the cached one may be the
    // decision just undone, whose undo would only fail).
    const fresh = (await last.refetch()).data ?? null;
    if (!fresh) {
      toast({
        kind: 'info',
        key: UNDO_FEEDBACK,
        text: 'Nothing to undo: you have no decision that still stands.',
      });
      return;
    }
    const target = fresh.accountNsid;
    goTo(target);
    setArrivedByQueue(false);
    undo.mutate({ requestId: newRequestId(), decisionId: fresh.id, nsid: target }, undone(target, fresh.id));
  }

  const photos = data?.photos ?? [];
  useReviewShortcuts({
    approve: () => submit('approve'),
    // The ref is set at once: a reason key typed right after R arrives before React renders the open reasons.
    reject: () => {
      if (canDecide) {
        rejectingRef.current = true;
        setRejecting(true);
      }
    },
    reason: (i) => {
      if (rejectingRef.current && REJECT_REASONS[i]) submit('reject', REJECT_REASONS[i].key);
    },
    note: () => noteRef.current?.focus(),
    undo: () => void undoLast(),
    move: (d) =>
      setActive((a) => {
        const step = d === 'row-down' ? columns.current : d === 'row-up' ? -columns.current : d;
        return Math.min(Math.max(0, a + step), Math.max(0, photos.length - 1));
      }),
    enlarge: () => photos[active] && setDrawer(photos[active].id),
    help: () => setHelp(true),
    escape: () => {
      rejectingRef.current = false;
      setRejecting(false);
      setNeedsNote(false);
    },
  });

  return (
    <div className="grid gap-4 lg:grid-cols-[18rem_1fr]">
      <div className="order-2 lg:order-1">
        {data ? (
          <AccountFacts data={data} />
        ) : review.isLoading ? (
          <p className="text-sm text-slate-500">Loading…</p>
        ) : null}
        {review.error && (
          <p role="alert" className="text-sm text-red-700">
            {review.error.message}
          </p>
        )}
      </div>
      <div className="order-1 min-w-0 space-y-3 lg:order-2">
        <div className="flex items-center justify-between text-sm">
          <Link
            href={`/accounts?order=${order}`}
            className="text-blue-700 underline-offset-2 hover:underline"
          >
            ← Queue
          </Link>
          <span role="status" className="text-slate-500">
            {deciding ? 'Saving…' : data ? 'All decisions saved' : ''}
          </span>
          {data && (
            <span className="text-slate-600">
              {photos.length} photos shown:{' '}
              {Math.min(data.flaggedTotal, photos.filter((p) => p.flagged).length)} flagged
              {data.flaggedTotal > photos.filter((p) => p.flagged).length ? ` (of ${data.flaggedTotal})` : ''}{' '}
              + {photos.filter((p) => !p.flagged).length} random
            </span>
          )}
        </div>
        {notice && (
          <div
            role={notice.kind === 'error' ? 'alert' : 'status'}
            className={`flex items-center gap-3 rounded p-2 text-sm ${notice.kind === 'error' ? 'bg-red-50 text-red-900' : 'bg-blue-50 text-blue-900'}`}
          >
            <span>{notice.text}</span>
            {notice.nsid && (
              <button
                type="button"
                className="rounded border px-2 py-0.5"
                onClick={() => {
                  setArrivedByQueue(false);
                  goTo(notice.nsid!);
                  setNotice(null);
                }}
              >
                Go back to it
              </button>
            )}
            <button
              type="button"
              className="ml-auto rounded border px-2 py-0.5"
              onClick={() => setNotice(null)}
            >
              Dismiss
            </button>
          </div>
        )}
        {data && (
          <DecisionPanel
            status={data.account.reviewStatus}
            reason={data.account.reviewReason}
            canDecide={canDecide}
            blockedBy={
              lease.data?.held === false && !lease.data.waiting && !lease.data.decided
                ? (lease.data.holder ?? 'Another reviewer')
                : null
            }
            waiting={lease.data?.held === false ? (lease.data.waiting ?? null) : null}
            rejecting={rejecting}
            note={note}
            noteRef={noteRef}
            needsNote={needsNote}
            onApprove={() => submit('approve')}
            onReject={() => setRejecting((r) => !r)}
            onReason={(r) => submit('reject', r)}
            onNote={setNote}
            onNoteDone={(go) => {
              noteRef.current?.blur();
              if (go && needsNote) submit('reject', 'other');
            }}
            onUndo={() => void undoLast()}
            canUndo={sent.current.length > 0 || !!last.data}
            onHelp={() => setHelp(true)}
          />
        )}
        {data && isAdmin && data.account.reviewStatus !== 'pending' && <SendBack nsid={nsid} />}
        {data && isAdmin && <KnownAnswer nsid={nsid} gold={data.account.gold} />}
        {data && (
          <SampleGrid
            photos={photos}
            active={active}
            onOpen={(i) => {
              setActive(i);
              setDrawer(photos[i].id);
            }}
            onColumns={(c) => {
              columns.current = c;
            }}
          />
        )}
        {data && <AccountLookalikes nsid={nsid} onOpen={setDrawer} />}
      </div>
      <PhotoDrawer photoId={drawer} onClose={() => setDrawer(null)} onOpenPhoto={setDrawer} />
      <ShortcutsDialog open={help} onClose={() => setHelp(false)} shortcuts={SHORTCUTS} />
    </div>
  );
}

/** The server found no standing decision to undo (404 "Nothing to undo"): it was undone already. */
function isNothingToUndo(e: Error): boolean {
  return e instanceof ApiError && e.status === 404;
}
