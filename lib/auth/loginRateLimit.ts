import { env } from '../env.ts';
import { countRecentFailures, recordLoginAttempt } from '../queries/users.ts';

export function loginKeys(email: string, ip: string | null): string[] {
  const keys = [`email:${email.trim().toLowerCase()}`];
  if (ip) keys.push(`ip:${ip}`);
  return keys;
}

/** True when the account or the IP has failed too often recently; attempts are then refused unchecked. */
export async function isLoginBlocked(keys: string[]): Promise<boolean> {
  const since = new Date(Date.now() - env.LOGIN_WINDOW_MINUTES * 60_000);
  return (await countRecentFailures(keys, since)) >= env.LOGIN_MAX_ATTEMPTS;
}

export async function recordLogin(keys: string[], success: boolean): Promise<void> {
  await recordLoginAttempt(keys, success);
}
