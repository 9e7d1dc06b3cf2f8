// Creating and changing users, shared by the Users page's API and the `users` CLI command.
import { z } from 'zod';
import { unlockLogin } from './auth/loginRateLimit.ts';
import { generatePassword, hashPassword, passwordProblem } from './auth/password.ts';
import { BadRequestError, ConflictError } from './errors.ts';
import { releaseAllLeases } from './queries/review.ts';
import { countActiveAdmins, createUser, getUserById, updateUser, type PublicUser } from './queries/users.ts';

export const roleSchema = z.enum(['admin', 'reviewer']);

export const newUserSchema = z.object({
  email: z.string().trim().email().max(320),
  name: z.string().trim().min(1).max(120).optional(),
  role: roleSchema.default('reviewer'),
  password: z.string().max(200).optional(),
});

export const userPatchSchema = z
  .object({
    role: roleSchema.optional(),
    disabled: z.boolean().optional(),
    password: z.string().max(200).optional(),
    /** Lift the login limits on this account (an attacker may have exhausted them on purpose). */
    unlock: z.literal(true).optional(),
  })
  .strict();

export async function addUser(
  input: z.input<typeof newUserSchema>,
): Promise<{ user: PublicUser; generatedPassword?: string }> {
  const data = newUserSchema.parse(input);
  const generated = data.password ? undefined : generatePassword();
  const password = data.password ?? (generated as string);
  const problem = passwordProblem(password);
  if (problem) throw new BadRequestError(`password: ${problem}`, [{ field: 'password', message: problem }]);
  const user = await createUser({
    email: data.email,
    name: data.name ?? data.email.split('@')[0],
    role: data.role,
    passwordHash: await hashPassword(password),
  });
  return { user, generatedPassword: generated };
}

export async function changeUser(
  actorId: string,
  id: string,
  patch: z.infer<typeof userPatchSchema>,
): Promise<PublicUser> {
  const target = await getUserById(id);
  const losesAdmin =
    target?.role === 'admin' && !target.disabled && (patch.disabled === true || patch.role === 'reviewer');
  if (losesAdmin && id === actorId)
    throw new ConflictError('You cannot disable yourself or remove your own admin role');
  if (losesAdmin && (await countActiveAdmins()) <= 1)
    throw new ConflictError('Quarry needs at least one active admin');
  let passwordHash: string | undefined;
  if (patch.password !== undefined) {
    const problem = passwordProblem(patch.password);
    if (problem) throw new BadRequestError(`password: ${problem}`, [{ field: 'password', message: problem }]);
    passwordHash = await hashPassword(patch.password);
  }
  const user = await updateUser(id, { role: patch.role, disabled: patch.disabled, passwordHash });
  if (patch.unlock) await unlockLogin(user.email);
  // A disabled reviewer's accounts go back to the queue at once instead of staying leased until the leases expire.
  if (user.disabled) await releaseAllLeases(id);
  return user;
}
