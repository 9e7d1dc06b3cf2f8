import { expect, test } from '@playwright/test';
import { E2E_USERS, signIn } from './fixtures';

test('every response carries the security headers', async ({ request }) => {
  for (const path of ['/login', '/api/dashboard']) {
    const res = await request.get(path, { maxRedirects: 0 });
    const h = res.headers();
    expect(h['content-security-policy'], path).toContain("frame-ancestors 'none'");
    expect(h['content-security-policy'], path).toContain("object-src 'none'");
    expect(h['x-content-type-options'], path).toBe('nosniff');
    expect(h['x-frame-options'], path).toBe('DENY');
    expect(h['x-powered-by'], path).toBeUndefined();
  }
});

test('the session cookie is HttpOnly, SameSite and expires', async ({ page, context }) => {
  await signIn(page, 'reviewer');
  const session = (await context.cookies()).find((c) => c.name.includes('session-token'));
  expect(session).toBeDefined();
  expect(session?.httpOnly).toBe(true);
  expect(session?.sameSite).toBe('Lax');
  const hours = ((session?.expires ?? 0) * 1000 - Date.now()) / 3_600_000;
  expect(hours).toBeGreaterThan(0);
  expect(hours).toBeLessThanOrEqual(12.1);
});

test('a cross-site request cannot use an admin session to change anything', async ({ page }) => {
  await signIn(page, 'admin');
  const email = 'csrf-victim@e2e.test';
  const res = await page.request.post('/api/users', {
    headers: { origin: 'https://evil.example', 'content-type': 'application/json' },
    data: JSON.stringify({ email, role: 'admin', password: 'Strong-password-42' }),
  });
  expect(res.status()).toBe(403);
  const list = await page.request.get('/api/users');
  const users = (await list.json()).data as { email: string }[];
  expect(users.map((u) => u.email)).not.toContain(email);
  expect(users.map((u) => u.email)).toContain(E2E_USERS.admin.email);
});

test('unknown or invalid fields are refused with a 400 that names the field', async ({ page }) => {
  await signIn(page, 'admin');
  const weak = await page.request.post('/api/users', { data: { email: 'weak@e2e.test', role: 'reviewer', password: 'short' } });
  expect(weak.status()).toBe(400);
  expect((await weak.json()).error.message).toMatch(/password/);
  const extra = await page.request.post('/api/users', { data: { email: 'x@e2e.test', role: 'reviewer', isAdmin: true } });
  expect(extra.status()).toBe(400);
  expect((await extra.json()).error.message).toMatch(/isAdmin|unrecognized/i);
  const badEmail = await page.request.post('/api/users', { data: { email: 'not-an-email', role: 'reviewer' } });
  expect(badEmail.status()).toBe(400);
  expect((await badEmail.json()).error.message).toMatch(/email/);
});
