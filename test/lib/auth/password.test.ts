import { describe, expect, it } from 'vitest';
import {
  generatePassword,
  hashPassword,
  passwordProblem,
  verifyPassword,
} from '../../../lib/auth/password.ts';

describe('password policy', () => {
  it.each([
    ['short1!', /at least 10/],
    ['aaaaaaaaaaaa', /different characters/],
    ['abcdefghijk', /mix letters/],
  ])('rejects %s', (pw, why) => {
    expect(passwordProblem(pw)).toMatch(why);
  });

  it.each(['correct-horse-9', 'Tr0ub4dor&3xx', 'a long passphrase with spaces'])('accepts %s', (pw) => {
    expect(passwordProblem(pw)).toBeNull();
  });

  it('generates passwords that pass its own policy and hashes that verify', async () => {
    const pw = generatePassword();
    expect(passwordProblem(pw)).toBeNull();
    const h = await hashPassword(pw);
    expect(h).toMatch(/^\$argon2/);
    expect(await verifyPassword(h, pw)).toBe(true);
    expect(await verifyPassword(h, `${pw}x`)).toBe(false);
    expect(await verifyPassword('not-a-hash', pw)).toBe(false);
  });
});
