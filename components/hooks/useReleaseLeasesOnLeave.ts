'use client';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef, type RefObject } from 'react';
import { newRequestId } from '@/components/review/requestId';

const RELEASE_URL = '/api/accounts/release';

/**
 * Ends the reviewer's leases (the account on screen and the reserved next one) when they leave the review page: closing
 * the tab, navigating away (by a link within the app too), or hiding it (another tab, a minimised window, a phone's lock
 * screen). A beacon is used because a plain fetch is cancelled with the page; it is a same-origin POST with the session
 * cookie, so the app's usual origin check applies. Coming back takes the leases again. The lease timeout stays as the
 * backstop when no beacon gets through (a crash, a lost network).
 *
 * `pageToken` goes with every claim and renewal the page sends; the beacon closes it, so the server also ends a lease
 * whose claim was still in flight when the page was left, and refuses any that lands later. Coming back starts a new token.
 */
export function useReleaseLeasesOnLeave(
  held: () => (string | null | undefined)[],
  pageToken: RefObject<string>,
): void {
  const qc = useQueryClient();
  const heldRef = useRef(held);
  heldRef.current = held;
  const releasedOnUnmount = useRef(false);

  useEffect(() => {
    let released = false;
    const body = () => {
      const nsids = [...new Set(heldRef.current().filter((n): n is string => !!n))];
      return JSON.stringify({ nsids, pageToken: pageToken.current });
    };
    const release = () => {
      if (released) return;
      released = true;
      const text = body();
      // A string body goes as text/plain: no preflight; the route parses JSON whatever the content type.
      if (!navigator.sendBeacon?.(RELEASE_URL, text)) {
        void fetch(RELEASE_URL, {
          method: 'POST',
          body: text,
          keepalive: true,
          credentials: 'same-origin',
        }).catch(() => {});
      }
    };
    const comeBack = () => {
      if (!released) return;
      released = false;
      pageToken.current = newRequestId();
      void qc.invalidateQueries({ queryKey: ['lease'] });
      void qc.invalidateQueries({ queryKey: ['nextAccount'] });
    };
    // React's development double mount runs the cleanup below, then this effect again on the same page: the leases
    // were released, so take them again as on coming back.
    if (releasedOnUnmount.current) {
      releasedOnUnmount.current = false;
      released = true;
      comeBack();
    }
    const onVisibility = () => (document.visibilityState === 'hidden' ? release() : comeBack());
    const onPageShow = (e: PageTransitionEvent) => {
      if (e.persisted) comeBack();
    };
    window.addEventListener('pagehide', release);
    window.addEventListener('pageshow', onPageShow);
    document.addEventListener('visibilitychange', onVisibility);
    return () => {
      window.removeEventListener('pagehide', release);
      window.removeEventListener('pageshow', onPageShow);
      document.removeEventListener('visibilitychange', onVisibility);
      if (released) return;
      // Leaving by a link within the app (the page's "← Queue"): no pagehide fires. The app stays loaded, so a fetch
      // whose answer refreshes the queue, which may have read the leases as still held before the release landed.
      released = true;
      releasedOnUnmount.current = true;
      void fetch(RELEASE_URL, { method: 'POST', body: body(), keepalive: true, credentials: 'same-origin' })
        .catch(() => {})
        .finally(() => qc.invalidateQueries({ queryKey: ['queue'] }));
    };
  }, [qc, pageToken]);
}
