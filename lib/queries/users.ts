import { db } from '../db.ts';
import type { Role } from '../generated/prisma/enums.ts';
import { ConflictError, isUniqueViolation, NotFoundError } from '../errors.ts';

export type PublicUser = {
  id: string;
  email: string;
  name: string;
  role: Role;
  disabled: boolean;
  createdAt: Date;
};

const publicFields = {
  id: true,
  email: true,
  name: true,
  role: true,
  disabled: true,
  createdAt: true,
} as const;

export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export async function getUserByEmail(email: string) {
  return db().user.findUnique({ where: { email: normaliseEmail(email) } });
}

export async function getUserById(id: string): Promise<PublicUser | null> {
  return db().user.findUnique({ where: { id }, select: publicFields });
}

export async function listUsers(): Promise<PublicUser[]> {
  return db().user.findMany({ select: publicFields, orderBy: { createdAt: 'asc' } });
}

export async function createUser(data: {
  email: string;
  name: string;
  role: Role;
  passwordHash: string;
}): Promise<PublicUser> {
  try {
    return await db().user.create({
      data: { ...data, email: normaliseEmail(data.email) },
      select: publicFields,
    });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError(`A user with email ${data.email} already exists`);
    throw e;
  }
}

export async function updateUser(
  id: string,
  data: { role?: Role; disabled?: boolean; passwordHash?: string; name?: string },
): Promise<PublicUser> {
  const found = await db().user.findUnique({ where: { id }, select: { id: true } });
  if (!found) throw new NotFoundError('User not found');
  // A new password or disabling ends every session the user has open (the guard compares versions per request).
  const revoke = data.passwordHash !== undefined || data.disabled === true;
  return db().user.update({
    where: { id },
    data: { ...data, ...(revoke ? { sessionVersion: { increment: 1 } } : {}) },
    select: publicFields,
  });
}

/** A user with the session version their cookies must carry, for the per-request session check. */
export async function getUserForSession(
  id: string,
): Promise<(PublicUser & { sessionVersion: number }) | null> {
  return db().user.findUnique({ where: { id }, select: { ...publicFields, sessionVersion: true } });
}

/** Ends every session the user has open (sign-out): cookies issued before stop working. */
export async function revokeSessions(id: string): Promise<void> {
  await db().user.updateMany({ where: { id }, data: { sessionVersion: { increment: 1 } } });
}

export async function countActiveAdmins(): Promise<number> {
  return db().user.count({ where: { role: 'admin', disabled: false } });
}

/** Admits one login attempt if every key is under its limit (one atomic statement: see login_admit's migration). */
export async function admitLoginAttempt(
  limits: { key: string; max: number; windowSeconds: number }[],
): Promise<{ admitted: true } | { admitted: false; blockedKey: string; retryAfterSeconds: number }> {
  const [row] = await db().$queryRaw<{ blocked: number }[]>`
    SELECT login_admit(${limits.map((l) => l.key)}::text[], ${limits.map((l) => l.max)}::int[],
      ${limits.map((l) => Math.round(l.windowSeconds))}::int[]) AS blocked`;
  if (row.blocked === 0) return { admitted: true };
  const blocked = limits[row.blocked - 1];
  // Refused attempts are not counted, so the limit lifts when the blocking key's window ends.
  const [left] = await db().$queryRaw<{ seconds: number | null }[]>`
    SELECT ceil(extract(epoch FROM window_start + make_interval(secs => ${Math.round(blocked.windowSeconds)}::int)
      - clock_timestamp()))::int AS seconds
    FROM login_throttles WHERE key = ${blocked.key}`;
  return {
    admitted: false,
    blockedKey: blocked.key,
    retryAfterSeconds: Math.max(1, left?.seconds ?? Math.round(blocked.windowSeconds)),
  };
}

/** After a successful sign-in: the account+IP pair starts afresh, and the attempt no longer counts against the other keys. */
export async function creditLoginSuccess(resetKey: string, otherKeys: string[]): Promise<void> {
  await db().$transaction([
    db().loginThrottle.deleteMany({ where: { key: resetKey } }),
    db().loginThrottle.updateMany({
      where: { key: { in: otherKeys }, attempts: { gt: 0 } },
      data: { attempts: { decrement: 1 } },
    }),
  ]);
}

/** Lifts every login limit on an account (account-wide and per address); returns how many limits were lifted. */
export async function clearLoginThrottles(keyPrefixes: string[]): Promise<number> {
  const res = await db().loginThrottle.deleteMany({
    where: { OR: keyPrefixes.map((p) => ({ key: { startsWith: p } })) },
  });
  return res.count;
}
