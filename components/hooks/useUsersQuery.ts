'use client';
import { useQuery } from '@tanstack/react-query';
import { fetchJson } from './fetchJson';

export type UserRow = {
  id: string;
  email: string;
  name: string;
  role: 'admin' | 'reviewer';
  disabled: boolean;
  createdAt: string;
};

export function useUsersQuery() {
  return useQuery({
    queryKey: ['users'],
    queryFn: () => fetchJson<{ data: UserRow[] }>('/api/users').then((r) => r.data),
  });
}
