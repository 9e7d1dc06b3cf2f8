// Checking a sign-in: admitted by the login limits first, then the password. Kept apart from next-auth so the
// concurrency test can drive it directly.
import { z } from 'zod';
import { getUserByEmail } from '../queries/users.ts';
import { admitLogin, loginKeys, loginSucceeded, type LoginBlock } from './loginRateLimit.ts';
import { verifyPassword } from './password.ts';
import { trustedDeviceId } from './trustedDevice.ts';

export const credentialsSchema = z.object({
  email: z.string().trim().email().max(320),
  password: z.string().min(1).max(200),
});

export type SignedInUser = { id: string; email: string; name: string; role: string; sessionVersion: number };
export type LoginOutcome =
  | { ok: true; user: SignedInUser }
  | { ok: false; reason: 'invalid' | 'wrong' }
  | { ok: false; reason: 'limited'; block: LoginBlock; retryAfterSeconds: number };

/** `device`: the browser's device cookie, if any (lib/auth/trustedDevice.ts). */
export async function checkLogin(
  raw: unknown,
  ip: string | null,
  verify = verifyPassword,
  device: string | null = null,
): Promise<LoginOutcome> {
  const parsed = credentialsSchema.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: 'invalid' };
  const { email, password } = parsed.data;
  const keys = loginKeys(email, ip, trustedDeviceId(device, email));
  const admission = await admitLogin(keys);
  if (!admission.admitted)
    return {
      ok: false,
      reason: 'limited',
      block: admission.block,
      retryAfterSeconds: admission.retryAfterSeconds,
    };
  const user = await getUserByEmail(email);
  const ok = user !== null && !user.disabled && (await verify(user.passwordHash, password));
  if (!ok || !user) return { ok: false, reason: 'wrong' };
  await loginSucceeded(keys);
  return {
    ok: true,
    user: {
      id: user.id,
      email: user.email,
      name: user.name,
      role: user.role,
      sessionVersion: user.sessionVersion,
    },
  };
}
