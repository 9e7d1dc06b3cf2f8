import { describe, expect, it } from 'vitest';
import { checkLogin } from '../../../lib/auth/login.ts';
import { admitLogin, loginKeys, unlockLogin } from '../../../lib/auth/loginRateLimit.ts';
import { hashPassword, verifyPassword } from '../../../lib/auth/password.ts';
import { env } from '../../../lib/env.ts';
import { issueDeviceToken } from '../../../lib/auth/trustedDevice.ts';
import { createUser } from '../../../lib/queries/users.ts';
import { useTestDatabase } from '../../helpers/db.ts';

useTestDatabase();

const PASSWORD = 'Right-password-42';

async function makeUser(email: string, role: 'admin' | 'reviewer' = 'reviewer') {
  return createUser({ email, name: email, role, passwordHash: await hashPassword(PASSWORD) });
}

/** checkLogin with the real password check, counting how many passwords were actually verified. */
function counted() {
  const c = { verified: 0 };
  const verify = (hash: string, pw: string) => {
    c.verified++;
    return verifyPassword(hash, pw);
  };
  return {
    c,
    attempt: (email: string, password: string, ip: string) => checkLogin({ email, password }, ip, verify),
  };
}

describe('login limits under concurrency', () => {
  it('of 60 simultaneous wrong attempts at most the limit are evaluated; then the right password gets no session', async () => {
    await makeUser('burst@example.com');
    const { c, attempt } = counted();
    const burst = await Promise.all(
      Array.from({ length: 60 }, () => attempt('burst@example.com', 'wrong-password-1', '10.1.1.1')),
    );
    expect(c.verified).toBeLessThanOrEqual(env.LOGIN_MAX_ATTEMPTS);
    expect(c.verified).toBe(env.LOGIN_MAX_ATTEMPTS);
    expect(burst.filter((o) => !o.ok && o.reason === 'limited')).toHaveLength(60 - env.LOGIN_MAX_ATTEMPTS);

    // A second burst of 50 where one attempt carries the right password: nothing is evaluated, no session.
    const second = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        attempt('burst@example.com', i === 45 ? PASSWORD : 'wrong-password-2', '10.1.1.1'),
      ),
    );
    expect(second.some((o) => o.ok)).toBe(false);
    expect(c.verified).toBe(env.LOGIN_MAX_ATTEMPTS);
  });

  it('in one mixed burst of 60, a session is obtained only if the right password was among the admitted', async () => {
    await makeUser('mixed@example.com');
    const { c, attempt } = counted();
    const outcomes = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        attempt('mixed@example.com', i === 55 ? PASSWORD : 'wrong-password-3', '10.2.2.2'),
      ),
    );
    const sessions = outcomes.filter((o) => o.ok).length;
    expect(c.verified).toBeLessThanOrEqual(env.LOGIN_MAX_ATTEMPTS);
    // Every admitted attempt was evaluated; a session past the limit would mean verified + refused > 60.
    expect(outcomes.filter((o) => !o.ok && o.reason === 'limited')).toHaveLength(60 - c.verified);
    expect(sessions).toBeLessThanOrEqual(1);
  });

  it('an attacker elsewhere cannot lock the admin out of their own address', async () => {
    await makeUser('boss@example.com', 'admin');
    const { attempt } = counted();
    for (let i = 0; i < env.LOGIN_MAX_ATTEMPTS + 5; i++)
      await attempt('boss@example.com', 'guess', '203.0.113.9');
    expect((await attempt('boss@example.com', 'guess', '203.0.113.9')).ok).toBe(false);
    const own = await attempt('boss@example.com', PASSWORD, '192.168.1.20');
    expect(own.ok).toBe(true);
  });

  it('the account-wide back-off stops guessing from many addresses, and an unlock lifts it at once', async () => {
    await makeUser('spread@example.com', 'admin');
    const { c, attempt } = counted();
    // Forged X-Forwarded-For: a fresh address for every attempt, all at once.
    const n = env.LOGIN_ACCOUNT_MAX_ATTEMPTS + 20;
    await Promise.all(
      Array.from({ length: n }, (_, i) => attempt('spread@example.com', 'guess', `198.51.100.${i}`)),
    );
    expect(c.verified).toBe(env.LOGIN_ACCOUNT_MAX_ATTEMPTS);
    const refused = await attempt('spread@example.com', PASSWORD, '192.168.1.20');
    expect(refused).toMatchObject({ ok: false, reason: 'limited', block: 'account' });
    // It says when to try again: the rest of the window, never more.
    const wait = refused.ok === false && refused.reason === 'limited' ? refused.retryAfterSeconds : 0;
    expect(wait).toBeGreaterThan(env.LOGIN_WINDOW_MINUTES * 60 - 30);
    expect(wait).toBeLessThanOrEqual(env.LOGIN_WINDOW_MINUTES * 60);
    expect(await unlockLogin('Spread@Example.com')).toBeGreaterThan(0);
    expect((await attempt('spread@example.com', PASSWORD, '192.168.1.20')).ok).toBe(true);
  });

  it('a browser that signed in before still signs in while attackers hold the account-wide limit; a forged cookie does not', async () => {
    process.env.AUTH_SECRET ??= 'test-secret-test-secret-test-secret';
    await makeUser('owner@example.com', 'admin');
    const device = issueDeviceToken('owner@example.com');
    let verified = 0;
    const verify = (hash: string, pw: string) => {
      verified++;
      return verifyPassword(hash, pw);
    };
    const attempt = (password: string, ip: string, cookie: string | null = null) =>
      checkLogin({ email: 'owner@example.com', password }, ip, verify, cookie);
    await Promise.all(
      Array.from({ length: env.LOGIN_ACCOUNT_MAX_ATTEMPTS + 10 }, (_, i) =>
        attempt('guess', `198.51.100.${i}`),
      ),
    );
    expect(await attempt(PASSWORD, '192.168.1.20')).toMatchObject({
      ok: false,
      reason: 'limited',
      block: 'account',
    });
    const forged = `${device?.split('.')[0]}.${'A'.repeat(43)}`;
    expect(await attempt(PASSWORD, '192.168.1.20', forged)).toMatchObject({
      ok: false,
      reason: 'limited',
      block: 'account',
    });
    expect(
      await attempt(PASSWORD, '192.168.1.20', issueDeviceToken('someone-else@example.com')),
    ).toMatchObject({ ok: false, reason: 'limited' });
    expect((await attempt(PASSWORD, '192.168.1.20', device)).ok).toBe(true);

    // A stolen device cookie is itself limited: 60 simultaneous guesses with it evaluate at most the limit.
    const before = verified;
    await Promise.all(Array.from({ length: 60 }, () => attempt('guess', '203.0.113.77', device)));
    expect(verified - before).toBe(env.LOGIN_MAX_ATTEMPTS);
  });

  it('an address trying many accounts is stopped, and a success does not count against the account', async () => {
    const { attempt } = counted();
    for (let i = 0; i < env.LOGIN_IP_MAX_ATTEMPTS; i++)
      await attempt(`user${i}@example.com`, 'guess', '10.0.0.66');
    expect(await admitLogin(loginKeys('fresh@example.com', '10.0.0.66'))).toMatchObject({
      admitted: false,
      block: 'address',
    });
    expect((await admitLogin(loginKeys('fresh@example.com', '10.0.0.67'))).admitted).toBe(true);

    await makeUser('regular@example.com');
    for (let i = 0; i < env.LOGIN_MAX_ATTEMPTS + 2; i++)
      expect((await attempt('regular@example.com', PASSWORD, '10.3.3.3')).ok).toBe(true);
  });
});
