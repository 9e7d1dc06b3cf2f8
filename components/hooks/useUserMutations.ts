'use client';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { fetchJson } from './fetchJson';
import type { UserRow } from './useUsersQuery';

export function useCreateUserMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (input: { email: string; name?: string; role: 'admin' | 'reviewer'; password?: string }) =>
      fetchJson<{ user: UserRow; generatedPassword?: string }>('/api/users', { method: 'POST', json: input }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['users'] }),
  });
}

export function useUpdateUserMutation() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: ({
      id,
      ...patch
    }: {
      id: string;
      role?: 'admin' | 'reviewer';
      disabled?: boolean;
      unlock?: true;
    }) => fetchJson<{ user: UserRow }>(`/api/users/${id}`, { method: 'PATCH', json: patch }),
    onSuccess: () => qc.invalidateQueries({ queryKey: ['users'] }),
  });
}
