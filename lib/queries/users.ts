import { db } from '../db.ts';
import type { Role } from '../generated/prisma/enums.ts';
import { ConflictError, isUniqueViolation, NotFoundError } from '../errors.ts';

export type PublicUser = { id: string; email: string; name: string; role: Role; disabled: boolean; createdAt: Date };

const publicFields = { id: true, email: true, name: true, role: true, disabled: true, createdAt: true } as const;

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

export async function createUser(data: { email: string; name: string; role: Role; passwordHash: string }): Promise<PublicUser> {
  try {
    return await db().user.create({ data: { ...data, email: normaliseEmail(data.email) }, select: publicFields });
  } catch (e) {
    if (isUniqueViolation(e)) throw new ConflictError(`A user with email ${data.email} already exists`);
    throw e;
  }
}

export async function updateUser(id: string, data: { role?: Role; disabled?: boolean; passwordHash?: string; name?: string }): Promise<PublicUser> {
  const found = await db().user.findUnique({ where: { id }, select: { id: true } });
  if (!found) throw new NotFoundError('User not found');
  return db().user.update({ where: { id }, data, select: publicFields });
}

export async function countActiveAdmins(): Promise<number> {
  return db().user.count({ where: { role: 'admin', disabled: false } });
}

export async function recordLoginAttempt(keys: string[], success: boolean): Promise<void> {
  await db().loginAttempt.createMany({ data: keys.map((key) => ({ key, success })) });
}

/** Failed attempts for any of the keys (email, IP) since `since`. */
export async function countRecentFailures(keys: string[], since: Date): Promise<number> {
  const rows = await db().loginAttempt.groupBy({
    by: ['key'], where: { key: { in: keys }, success: false, createdAt: { gte: since } }, _count: { _all: true },
  });
  return Math.max(0, ...rows.map((r) => r._count._all));
}
