import { describe, expect, it } from 'vitest';
import { checkLogin } from '../../../lib/auth/login.ts';
import { getUserForSession, revokeSessions } from '../../../lib/queries/users.ts';
import { addUser, changeUser } from '../../../lib/userAdmin.ts';
import { useTestDatabase } from '../../helpers/db.ts';

useTestDatabase();

// The guard accepts a session cookie only while it carries the user's current version (lib/auth/guard.ts).
async function version(id: string): Promise<number | undefined> {
  return (await getUserForSession(id))?.sessionVersion;
}

describe('session revocation', () => {
  it('a sign-in carries the current version; a password change, sign-out and disabling each move it on', async () => {
    const { user } = await addUser({
      email: 'rev@example.com',
      role: 'reviewer',
      password: 'First-password-1',
    });
    const login = await checkLogin({ email: 'rev@example.com', password: 'First-password-1' }, '10.9.0.1');
    expect(login.ok && login.user.sessionVersion).toBe(await version(user.id));
    const issued = login.ok ? login.user.sessionVersion : -1;

    await changeUser('admin', user.id, { password: 'Second-password-2' });
    const afterPassword = await version(user.id);
    expect(afterPassword).not.toBe(issued);

    await revokeSessions(user.id);
    const afterSignOut = await version(user.id);
    expect(afterSignOut).not.toBe(afterPassword);

    await changeUser('admin', user.id, { disabled: true });
    expect(await version(user.id)).not.toBe(afterSignOut);
  });

  it('a role change keeps sessions (the guard re-reads the role per request anyway)', async () => {
    const { user } = await addUser({
      email: 'keep@example.com',
      role: 'reviewer',
      password: 'First-password-1',
    });
    const before = await version(user.id);
    await changeUser('admin', user.id, { role: 'admin' });
    expect(await version(user.id)).toBe(before);
  });
});
