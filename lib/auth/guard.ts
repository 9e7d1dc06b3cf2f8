// Session and role checks for API routes (throwing HTTP errors) and pages (redirecting).
import { forbidden, redirect } from 'next/navigation';
import type { Role } from '../generated/prisma/enums.ts';
import { ForbiddenError, UnauthorizedError } from '../errors.ts';
import { getUserForSession, type PublicUser } from '../queries/users.ts';
import { auth } from './auth.ts';

export type SessionUser = Pick<PublicUser, 'id' | 'email' | 'name' | 'role'>;

/**
 * The signed-in user, re-read from the database on every request so that disabling a user, changing a role, a
 * new password or a sign-out (each bumps the session version) takes effect at once on every open session.
 */
export async function currentUser(): Promise<SessionUser | null> {
  const session = await auth();
  const claims = session?.user as { id?: string; sv?: number } | undefined;
  if (!claims?.id) return null;
  const user = await getUserForSession(claims.id);
  if (!user || user.disabled || user.sessionVersion !== claims.sv) return null;
  return { id: user.id, email: user.email, name: user.name, role: user.role };
}

export async function requireUser(role?: Role): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) throw new UnauthorizedError();
  if (role === 'admin' && user.role !== 'admin') throw new ForbiddenError('Admins only');
  return user;
}

export async function requirePageUser(role?: Role, next = '/'): Promise<SessionUser> {
  const user = await currentUser();
  if (!user) redirect(`/login?next=${encodeURIComponent(next)}`);
  if (role === 'admin' && user.role !== 'admin') forbidden();
  return user;
}
