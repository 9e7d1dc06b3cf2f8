// Login limiting that holds under concurrency and cannot be turned against an admin.
//
// Every attempt must be admitted before its password is checked; admission checks and counts in one atomic
// statement (login_admit), so N simultaneous attempts admit at most the limit. Three keys, tightest first:
// - account+IP (LOGIN_MAX_ATTEMPTS per window): stops guessing one account from one address; someone guessing
//   the admin's password from elsewhere does not touch the admin's own account+IP counter.
// - IP (LOGIN_IP_MAX_ATTEMPTS): stops one address spraying many accounts.
// - account (LOGIN_ACCOUNT_MAX_ATTEMPTS, a slower back-off): stops guessing from many addresses. (The address is
//   the connection's own, lib/auth/clientAddress.ts: forged X-Forwarded-For headers do not make new ones.) An attacker can exhaust it on purpose, so another admin (Users page) or the
//   CLI (`users unlock`) lifts it at once, and it expires on its own after the window.
// A browser that signed in to the account before (lib/auth/trustedDevice.ts) is limited on its own key instead,
// so exhausting the address and account limits does not lock the account's own user out.
// A success resets the account+IP (or browser) counter and takes its attempt back from the others.
import { env } from '../env.ts';
import {
  admitLoginAttempt,
  clearLoginThrottles,
  creditLoginSuccess,
  normaliseEmail,
} from '../queries/users.ts';

export type LoginKeys = { pair: string; ip: string | null; account: string; device: string | null };
export type LoginBlock = 'address' | 'account';

/** `deviceId`: a browser the account's device cookie vouches for (trustedDeviceId), or null. */
export function loginKeys(email: string, ip: string | null, deviceId: string | null = null): LoginKeys {
  const e = normaliseEmail(email);
  const addr = ip ?? 'unknown';
  return {
    pair: `pair:${e}|${addr}`,
    ip: ip ? `ip:${ip}` : null,
    account: `account:${e}`,
    device: deviceId ? `device:${e}|${deviceId}` : null,
  };
}

/** Admits one attempt, or says which limit refused it; a refused attempt is not counted. */
export async function admitLogin(
  keys: LoginKeys,
): Promise<{ admitted: true } | { admitted: false; block: LoginBlock; retryAfterSeconds: number }> {
  const window = env.LOGIN_WINDOW_MINUTES * 60;
  if (keys.device) {
    const r = await admitLoginAttempt([
      { key: keys.device, max: env.LOGIN_MAX_ATTEMPTS, windowSeconds: window },
    ]);
    return r.admitted
      ? { admitted: true }
      : { admitted: false, block: 'address', retryAfterSeconds: r.retryAfterSeconds };
  }
  const limits = [
    { key: keys.pair, max: env.LOGIN_MAX_ATTEMPTS, windowSeconds: window },
    ...(keys.ip ? [{ key: keys.ip, max: env.LOGIN_IP_MAX_ATTEMPTS, windowSeconds: window }] : []),
    { key: keys.account, max: env.LOGIN_ACCOUNT_MAX_ATTEMPTS, windowSeconds: window },
  ];
  const r = await admitLoginAttempt(limits);
  if (r.admitted) return { admitted: true };
  return {
    admitted: false,
    block: r.blockedKey === keys.account ? 'account' : 'address',
    retryAfterSeconds: r.retryAfterSeconds,
  };
}

export async function loginSucceeded(keys: LoginKeys): Promise<void> {
  if (keys.device) await creditLoginSuccess(keys.device, []);
  else await creditLoginSuccess(keys.pair, [keys.account, ...(keys.ip ? [keys.ip] : [])]);
}

/** Lifts the account-wide limit and every per-address limit of one account. */
export async function unlockLogin(email: string): Promise<number> {
  const e = normaliseEmail(email);
  return clearLoginThrottles([`account:${e}`, `pair:${e}|`, `device:${e}|`]);
}
