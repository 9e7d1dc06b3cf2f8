// The login limits against a client that forges X-Forwarded-For: without a trusted proxy (TRUSTED_PROXY_HOPS=0,
// the default) the server keys on the connection's address, so rotating the header buys no extra guesses.
import { expect, test } from '@playwright/test';
import pg from 'pg';
import { e2eState } from './fixtures.ts';

// The e2e server runs with the defaults: LOGIN_MAX_ATTEMPTS=10 per account from one address.
const LIMIT = 10;

/** Leaves the shared per-address counter as it was, so these deliberate failures cost other specs nothing. */
async function withAddressCounterRestored(fn: () => Promise<void>, email: string): Promise<void> {
  const c = new pg.Client({ connectionString: e2eState().databaseUrl });
  await c.connect();
  const before = await c.query<{ key: string; attempts: number; window_start: Date }>(
    `SELECT key, attempts, window_start FROM login_throttles WHERE key LIKE 'ip:%'`,
  );
  try {
    await fn();
  } finally {
    await c.query(`DELETE FROM login_throttles WHERE key LIKE 'ip:%' OR key LIKE $1`, [`%${email}%`]);
    for (const r of before.rows)
      await c.query(`INSERT INTO login_throttles (key, attempts, window_start) VALUES ($1, $2, $3)`, [
        r.key,
        r.attempts,
        r.window_start,
      ]);
    await c.end();
  }
}

test('rotating X-Forwarded-For on the sign-in page cannot get past the limit, and the page says when to retry', async ({
  page,
}) => {
  const email = 'forged-xff@e2e.test';
  await withAddressCounterRestored(async () => {
    await page.goto('/login');
    for (let i = 0; i <= LIMIT; i++) {
      await page.setExtraHTTPHeaders({
        'x-forwarded-for': `198.51.100.${i + 1}`,
        'x-real-ip': `203.0.113.${i}`,
      });
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(`guess-number-${i}`);
      await page.getByRole('button', { name: 'Sign in' }).click();
      const expected =
        i < LIMIT ? 'Wrong email or password' : 'Too many failed attempts. Try again in 15 minutes.';
      await expect(page.getByText(expected)).toBeVisible();
      await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
    }
  }, email);
});

test('the sign-in endpoint answers a limited attempt with 429, a one-line message and Retry-After', async ({
  request,
}) => {
  const email = 'forged-xff-api@e2e.test';
  await withAddressCounterRestored(async () => {
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof request.post>> | null = null;
    for (let i = 0; i <= LIMIT; i++) {
      const { csrfToken } = (await (await request.get('/api/auth/csrf')).json()) as { csrfToken: string };
      last = await request.post('/api/auth/callback/credentials', {
        form: { email, password: `guess-${i}`, csrfToken },
        headers: { 'x-forwarded-for': `198.51.100.${100 + i}` },
        maxRedirects: 0,
      });
      statuses.push(last.status());
    }
    expect(statuses.slice(0, LIMIT).every((s) => s === 302)).toBe(true);
    expect(statuses[LIMIT]).toBe(429);
    const retryAfter = Number(last?.headers()['retry-after']);
    expect(retryAfter).toBeGreaterThan(800);
    expect(retryAfter).toBeLessThanOrEqual(900);
    expect(await last?.json()).toEqual({
      error: { message: 'Too many failed attempts. Try again in 15 minutes.', code: 'rate_limited' },
    });
  }, email);
});
