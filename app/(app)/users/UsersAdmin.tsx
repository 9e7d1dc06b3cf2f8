'use client';
import { useState, type FormEvent } from 'react';
import { useCreateUserMutation, useUpdateUserMutation } from '@/components/hooks/useUserMutations';
import { useUsersQuery } from '@/components/hooks/useUsersQuery';

export function UsersAdmin({ meId }: { meId: string }) {
  const users = useUsersQuery();
  const create = useCreateUserMutation();
  const update = useUpdateUserMutation();
  const [created, setCreated] = useState<{ email: string; password?: string } | null>(null);
  const [unlocked, setUnlocked] = useState<string | null>(null);

  async function onSubmit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    const password = String(form.get('password') ?? '');
    const res = await create
      .mutateAsync({
        email: String(form.get('email')),
        name: String(form.get('name') ?? '') || undefined,
        role: form.get('role') === 'admin' ? 'admin' : 'reviewer',
        password: password || undefined,
      })
      .catch(() => null);
    if (res) {
      setCreated({ email: res.user.email, password: res.generatedPassword });
      (e.target as HTMLFormElement).reset();
    }
  }

  return (
    <div className="grid gap-6 lg:grid-cols-[1fr_22rem]">
      <section className="overflow-x-auto rounded-lg border border-slate-200 bg-white">
        <table className="w-full text-sm">
          <caption className="sr-only">Users</caption>
          <thead className="bg-slate-50 text-left">
            <tr>
              <th className="p-2">Name</th>
              <th className="p-2">Email</th>
              <th className="p-2">Role</th>
              <th className="p-2">Status</th>
              <th className="p-2">Actions</th>
            </tr>
          </thead>
          <tbody>
            {users.data?.map((u) => (
              <tr key={u.id} className="border-t border-slate-100">
                <td className="p-2">
                  <bdi>{u.name}</bdi>
                </td>
                <td className="p-2">
                  <bdi>{u.email}</bdi>
                </td>
                <td className="p-2">{u.role}</td>
                <td className="p-2">{u.disabled ? 'disabled' : 'active'}</td>
                <td className="space-x-2 p-2">
                  {u.id !== meId && (
                    <>
                      <button
                        type="button"
                        className="rounded border px-2 py-0.5"
                        disabled={update.isPending}
                        onClick={() => update.mutate({ id: u.id, disabled: !u.disabled })}
                      >
                        {u.disabled ? 'Enable' : 'Disable'} {u.email}
                      </button>
                      <button
                        type="button"
                        className="rounded border px-2 py-0.5"
                        disabled={update.isPending}
                        onClick={() =>
                          update.mutate({ id: u.id, role: u.role === 'admin' ? 'reviewer' : 'admin' })
                        }
                      >
                        Make {u.role === 'admin' ? 'reviewer' : 'admin'}
                      </button>
                      <button
                        type="button"
                        className="rounded border px-2 py-0.5"
                        disabled={update.isPending}
                        aria-label={`Unlock sign-in for ${u.email}`}
                        onClick={() =>
                          update.mutate({ id: u.id, unlock: true }, { onSuccess: () => setUnlocked(u.email) })
                        }
                      >
                        Unlock sign-in
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {users.isLoading && <p className="p-3 text-sm text-slate-500">Loading…</p>}
        {update.error && (
          <p role="alert" className="p-3 text-sm text-red-700">
            {update.error.message}
          </p>
        )}
        {unlocked && !update.error && (
          <p role="status" className="p-3 text-sm text-green-800">
            Sign-in unlocked for {unlocked}: failed attempts no longer block it.
          </p>
        )}
      </section>
      <section className="rounded-lg border border-slate-200 bg-white p-4">
        <h2 className="mb-3 font-medium">Add a user</h2>
        <form onSubmit={onSubmit} className="space-y-3 text-sm">
          <label className="block">
            Email
            <input name="email" type="email" required className="mt-1 w-full rounded border px-2 py-1" />
          </label>
          <label className="block">
            Name
            <input name="name" className="mt-1 w-full rounded border px-2 py-1" />
          </label>
          <label className="block">
            Role
            <select name="role" className="mt-1 w-full rounded border px-2 py-1" defaultValue="reviewer">
              <option value="reviewer">reviewer</option>
              <option value="admin">admin</option>
            </select>
          </label>
          <label className="block">
            Password (empty: generate one)
            <input
              name="password"
              type="password"
              autoComplete="new-password"
              className="mt-1 w-full rounded border px-2 py-1"
            />
          </label>
          <button
            type="submit"
            disabled={create.isPending}
            className="rounded bg-blue-700 px-3 py-1.5 text-white disabled:opacity-60"
          >
            Add user
          </button>
          {create.error && (
            <p role="alert" className="text-red-700">
              {create.error.message}
            </p>
          )}
          {created && (
            <p className="rounded bg-green-50 p-2 text-green-900">
              Added {created.email}.
              {created.password && (
                <>
                  {' '}
                  Password: <code className="select-all">{created.password}</code> (shown once)
                </>
              )}
            </p>
          )}
        </form>
      </section>
    </div>
  );
}
