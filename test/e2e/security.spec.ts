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
  const weak = await page.request.post('/api/users', {
    data: { email: 'weak@e2e.test', role: 'reviewer', password: 'short' },
  });
  expect(weak.status()).toBe(400);
  expect((await weak.json()).error.message).toMatch(/password/);
  const extra = await page.request.post('/api/users', {
    data: { email: 'x@e2e.test', role: 'reviewer', isAdmin: true },
  });
  expect(extra.status()).toBe(400);
  expect((await extra.json()).error.message).toMatch(/isAdmin|unrecognized/i);
  const badEmail = await page.request.post('/api/users', {
    data: { email: 'not-an-email', role: 'reviewer' },
  });
  expect(badEmail.status()).toBe(400);
  expect((await badEmail.json()).error.message).toMatch(/email/);
});

test('scripts run only with the per-request nonce: the pages work, an injected inline script does not run', async ({
  page,
}) => {
  const violations: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to (execute|load)/i.test(m.text()))
      violations.push(`${page.url()}: ${m.text()}`);
  });
  page.on('pageerror', (e) => violations.push(`${page.url()}: ${e.message}`));

  const first = await page.request.get('/login');
  const second = await page.request.get('/login');
  const csp = first.headers()['content-security-policy'];
  expect(csp).toMatch(/script-src 'self' 'nonce-[A-Za-z0-9+/=]{16,}' 'strict-dynamic'/);
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(second.headers()['content-security-policy']).not.toBe(csp);

  await signIn(page, 'admin');
  for (const path of ['/', '/accounts', '/checks', '/spot-checks', '/runs', '/export']) {
    await page.goto(path);
    await page.waitForLoadState('networkidle');
  }
  // The Users table is fetched by client-side React: it shows only if Next's scripts (carrying the nonce) ran.
  await page.goto('/users');
  await expect(page.getByRole('cell', { name: E2E_USERS.reviewer.email, exact: true })).toBeVisible();
  expect(violations).toEqual([]);

  // Markup injected into a server-rendered page (as stored XSS would be), the page's own CSP header kept.
  await page.route('**/users', async (route) => {
    const res = await route.fetch();
    const html = (await res.text())
      .replace('<body', '<body data-x="1"')
      .replace(
        '</body>',
        '<script>window.__injectedRan = true</script><img src="/nothing.png" onerror="window.__handlerRan = true"></body>',
      );
    await route.fulfill({ response: res, body: html });
  });
  const blocked: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy/.test(m.text())) blocked.push(m.text());
  });
  violations.length = 0;
  await page.goto('/users');
  await expect(page.getByRole('cell', { name: E2E_USERS.reviewer.email, exact: true })).toBeVisible();
  const ran = await page.evaluate(() => {
    const w = window as unknown as { __injectedRan?: boolean; __handlerRan?: boolean };
    return { script: w.__injectedRan === true, handler: w.__handlerRan === true };
  });
  expect(ran).toEqual({ script: false, handler: false });
  expect(blocked.length).toBeGreaterThanOrEqual(2);
});
