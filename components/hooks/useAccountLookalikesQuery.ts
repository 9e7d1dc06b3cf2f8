'use client';
import { useQuery } from '@tanstack/react-query';
import type { AccountLookalikes } from '@/pipeline/clip/accountLookalikes';
import { fetchJson } from './fetchJson';

/** Not under ['account', …]: an override invalidates those; this answer (100 index searches) does not change with one. */
export const accountLookalikesKey = (nsid: string) => ['accountLookalikes', { nsid }] as const;

export function useAccountLookalikesQuery(nsid: string, enabled: boolean) {
  return useQuery({
    queryKey: accountLookalikesKey(nsid),
    queryFn: () => fetchJson<AccountLookalikes>(`/api/accounts/${encodeURIComponent(nsid)}/similar`),
    enabled: enabled && nsid !== '',
    staleTime: 60_000,
  });
}
