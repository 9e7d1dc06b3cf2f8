import { describe, expect, it } from 'vitest';
import { isLoginBlocked, loginKeys, recordLogin } from '../../../lib/auth/loginRateLimit.ts';
import { env } from '../../../lib/env.ts';
import { useTestDatabase } from '../../helpers/db.ts';

useTestDatabase();

describe('login rate limit', () => {
  it('blocks an account after too many failures, from any IP, and leaves others alone', async () => {
    const keys = loginKeys('Victim@Example.com', '10.0.0.1');
    expect(keys).toEqual(['email:victim@example.com', 'ip:10.0.0.1']);
    for (let i = 0; i < env.LOGIN_MAX_ATTEMPTS - 1; i++) await recordLogin(keys, false);
    expect(await isLoginBlocked(keys)).toBe(false);
    await recordLogin(keys, false);
    expect(await isLoginBlocked(keys)).toBe(true);
    expect(await isLoginBlocked(loginKeys('victim@example.com', '10.9.9.9'))).toBe(true);
    expect(await isLoginBlocked(loginKeys('someone@example.com', '10.9.9.9'))).toBe(false);
  });

  it('blocks an IP that tries many accounts', async () => {
    for (let i = 0; i < env.LOGIN_MAX_ATTEMPTS; i++) await recordLogin(loginKeys(`user${i}@example.com`, '10.0.0.66'), false);
    expect(await isLoginBlocked(loginKeys('fresh@example.com', '10.0.0.66'))).toBe(true);
  });
});
