// A browser that has signed in to an account before gets a signed cookie naming that account. Its later attempts
// are limited on their own (LOGIN_MAX_ATTEMPTS per window for that browser) instead of by the address and
// account-wide limits, so an attacker who exhausts those (from many addresses) cannot lock
// the account's own user out. Without AUTH_SECRET (some tests) no browser is trusted.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { normaliseEmail } from '../queries/users.ts';

export const DEVICE_COOKIE = 'quarry-device';
export const DEVICE_COOKIE_MAX_AGE = 180 * 24 * 3600;

function mac(secret: string, id: string, email: string): string {
  return createHmac('sha256', secret)
    .update(`quarry-device|${id}|${normaliseEmail(email)}`)
    .digest('base64url');
}

/** A new cookie value vouching for this browser on `email`; null without a secret. */
export function issueDeviceToken(email: string, secret = process.env.AUTH_SECRET): string | null {
  if (!secret) return null;
  const id = randomBytes(12).toString('base64url');
  return `${id}.${mac(secret, id, email)}`;
}

/** The browser's id when the cookie vouches for it on `email`, else null. */
export function trustedDeviceId(
  token: string | null | undefined,
  email: string,
  secret = process.env.AUTH_SECRET,
): string | null {
  if (!secret || !token || token.length > 200) return null;
  const [id, sig] = token.split('.');
  if (!id || !sig) return null;
  const want = Buffer.from(mac(secret, id, email));
  const got = Buffer.from(sig);
  return want.length === got.length && timingSafeEqual(want, got) ? id : null;
}

/** The device cookie's value from a Cookie header. */
export function deviceCookieFrom(cookieHeader: string | null | undefined): string | null {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === DEVICE_COOKIE) return decodeURIComponent(rest.join('='));
  }
  return null;
}
