'use client';
import { useQuery } from '@tanstack/react-query';
import type { LeaseState } from '@/lib/queries/review';
import { ApiError, fetchJson } from './fetchJson';

/** `decided`: the account has nothing left to review, so the server refused a lease (409) and none is needed. */
export type PageLease = LeaseState & { decided?: boolean };

function decidedLease(e: unknown): PageLease | null {
  if (!(e instanceof ApiError) || e.status !== 409) return null;
  const d = e.details as { code?: string; status?: LeaseState['status'] } | undefined;
  return d?.code === 'decided' && d.status
    ? { held: false, expiresAt: null, holder: null, status: d.status, decided: true }
    : null;
}

/** How often an open review page renews its lease; leases last REVIEW_LEASE_MINUTES (10 by default). */
export const LEASE_RENEW_MS = 2 * 60_000;

/**
 * Takes the account's lease and renews it while the page is open (a POST, polled like a heartbeat); `keep` names the
 * reserved next account, whose lease must survive.
 */
export function useAccountLeaseQuery(
  nsid: string,
  enabled: boolean,
  keep: () => string | null | undefined,
  pageToken: () => string,
) {
  return useQuery({
    queryKey: ['lease', { nsid }],
    queryFn: async (): Promise<PageLease> => {
      const k = keep();
      try {
        return await fetchJson<LeaseState>(`/api/accounts/${encodeURIComponent(nsid)}/lease`, {
          method: 'POST',
          json: { keep: k && k !== nsid ? [k] : [], pageToken: pageToken() },
        });
      } catch (e) {
        // A decided account on screen (a look back, a link): shown and re-decidable without a lease.
        const decided = decidedLease(e);
        if (decided) return decided;
        throw e;
      }
    },
    enabled,
    staleTime: 0,
    gcTime: 0,
    refetchInterval: LEASE_RENEW_MS,
    // A hidden page has released its leases (useReleaseLeasesOnLeave); renewing there would take them back.
    refetchIntervalInBackground: false,
    refetchOnWindowFocus: true,
  });
}
