'use client';
import { useQuery } from '@tanstack/react-query';
import type { LeaseState } from '@/lib/queries/review';
import { fetchJson } from './fetchJson';

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
    queryFn: () => {
      const k = keep();
      return fetchJson<LeaseState>(`/api/accounts/${encodeURIComponent(nsid)}/lease`, {
        method: 'POST',
        json: { keep: k && k !== nsid ? [k] : [], pageToken: pageToken() },
      });
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
