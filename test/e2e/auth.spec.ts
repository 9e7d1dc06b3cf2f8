import { expect, test } from '@playwright/test';
import pg from 'pg';
import { E2E_USERS, e2eState, signIn } from './fixtures';

const port = Number(process.env.E2E_PORT ?? 3100);

test('a reviewer signs in, sees the dashboard, is refused the Runs page, and signs out', async ({ page }) => {
  await signIn(page, 'reviewer');
  await expect(page.getByRole('heading', { name: 'Dataset' })).toBeVisible();
  await expect(page.getByText('Photos ingested')).toBeVisible();
  await expect(
    page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' }),
  ).toHaveCount(0);

  const res = await page.goto('/runs');
  expect(res?.status()).toBe(403);
  await expect(page.getByRole('heading', { name: /403/ })).toBeVisible();
  const api = await page.request.get('/api/users');
  expect(api.status()).toBe(403);

  await page.goto('/');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  await page.goto('/');
  await expect(page).toHaveURL(/\/login/);
});

test('an admin signs in and sees the admin navigation and the Runs page', async ({ page }) => {
  await signIn(page, 'admin');
  const nav = page.getByRole('navigation', { name: 'Main' });
  for (const name of ['Accounts', 'Checks', 'Spot checks', 'Runs', 'Export', 'Users']) {
    await expect(nav.getByRole('link', { name, exact: true })).toBeVisible();
  }
  await nav.getByRole('link', { name: 'Runs' }).click();
  await expect(page.getByRole('heading', { name: 'Runs' })).toBeVisible();
  await nav.getByRole('link', { name: 'Users' }).click();
  await expect(page.getByRole('cell', { name: E2E_USERS.reviewer.email, exact: true })).toBeVisible();
});

test('a wrong password is refused with a clear message', async ({ page }) => {
  await page.goto('/login');
  await page.getByLabel('Email').fill(E2E_USERS.reviewer.email);
  await page.getByLabel('Password').fill('not-the-password');
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByText('Wrong email or password')).toBeVisible();
});

test('pages without a session redirect to the login page', async ({ page }) => {
  for (const path of ['/', '/users', '/runs']) {
    await page.goto(path);
    await expect(page).toHaveURL(/\/login/);
  }
});

test('a user disabled by an admin is refused at once, mid-session', async ({ page, browser }) => {
  const other = await browser.newContext();
  const reviewerPage = await other.newPage();
  await signIn(reviewerPage, 'reviewer2');
  expect((await reviewerPage.request.get('/api/me')).status()).toBe(200);

  await signIn(page, 'admin');
  await page.goto('/users');
  await page.getByRole('button', { name: `Disable ${E2E_USERS.reviewer2.email}` }).click();
  await expect(page.getByRole('button', { name: `Enable ${E2E_USERS.reviewer2.email}` })).toBeVisible();

  expect((await reviewerPage.request.get('/api/me')).status()).toBe(401);
  await reviewerPage.goto('/');
  await expect(reviewerPage).toHaveURL(/\/login/);

  await page.getByRole('button', { name: `Enable ${E2E_USERS.reviewer2.email}` }).click();
  await expect(page.getByRole('button', { name: `Disable ${E2E_USERS.reviewer2.email}` })).toBeVisible();
  await other.close();
});

test("signing in works at http://127.0.0.1 as well as at localhost (the server's AUTH_URL says localhost)", async ({
  page,
}) => {
  const base = `http://127.0.0.1:${port}`;
  await page.goto(`${base}/login?next=%2Faccounts`);
  await page.getByLabel('Email').fill(E2E_USERS.reviewer.email);
  await page.getByLabel('Password').fill(E2E_USERS.reviewer.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page.getByRole('button', { name: 'Sign out' })).toBeVisible();
  expect(new URL(page.url()).host).toBe(`127.0.0.1:${port}`);
  expect(new URL(page.url()).pathname).toBe('/accounts');
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(`${base}/login`);
});

/** A second browser holding a copy of the user's session cookie, as a thief or a forgotten tab would. */
async function copiedSession(
  browser: import('@playwright/test').Browser,
  from: import('@playwright/test').BrowserContext,
) {
  const ctx = await browser.newContext();
  await ctx.addCookies(await from.cookies());
  return ctx;
}

test('signing out ends the session: a copy of the old cookie no longer works', async ({
  page,
  context,
  browser,
}) => {
  await signIn(page, 'reviewer');
  const copy = await copiedSession(browser, context);
  expect((await copy.request.get('/api/me')).status()).toBe(200);
  await page.getByRole('button', { name: 'Sign out' }).click();
  await expect(page).toHaveURL(/\/login/);
  expect((await copy.request.get('/api/me')).status()).toBe(401);
  await copy.close();
});

test("a password changed by an admin ends the user's open sessions; the new password signs in", async ({
  page,
  browser,
}) => {
  const userCtx = await browser.newContext();
  const userPage = await userCtx.newPage();
  await signIn(userPage, 'reviewer2');
  expect((await userPage.request.get('/api/me')).status()).toBe(200);

  await signIn(page, 'admin');
  const users = (await (await page.request.get('/api/users')).json()).data as { id: string; email: string }[];
  const id = users.find((u) => u.email === E2E_USERS.reviewer2.email)?.id;
  const changed = await page.request.patch(`/api/users/${id}`, { data: { password: 'Changed-password-7' } });
  expect(changed.status()).toBe(200);

  expect((await userPage.request.get('/api/me')).status()).toBe(401);
  await userPage.goto('/');
  await expect(userPage).toHaveURL(/\/login/);
  await userPage.getByLabel('Email').fill(E2E_USERS.reviewer2.email);
  await userPage.getByLabel('Password').fill('Changed-password-7');
  await userPage.getByRole('button', { name: 'Sign in' }).click();
  await expect(userPage.getByRole('button', { name: 'Sign out' })).toBeVisible();

  // Put the fixture's password back for the other specs.
  expect(
    (
      await page.request.patch(`/api/users/${id}`, { data: { password: E2E_USERS.reviewer2.password } })
    ).status(),
  ).toBe(200);
  await userCtx.close();
});

test('attackers holding the account-wide limit lock out neither a browser that signed in before nor, after an admin unlocks, anyone', async ({
  page,
  browser,
}) => {
  // A browser the reviewer used before: it holds the signed device cookie from that sign-in.
  const known = await browser.newContext();
  const knownPage = await known.newPage();
  await signIn(knownPage, 'reviewer');
  await knownPage.getByRole('button', { name: 'Sign out' }).click();
  await expect(knownPage).toHaveURL(/\/login/);

  const { databaseUrl } = e2eState();
  const c = new pg.Client({ connectionString: databaseUrl });
  await c.connect();
  try {
    // As if guessed from many (forged) addresses: the account-wide back-off is exhausted.
    await c.query(
      `INSERT INTO login_throttles (key, attempts, window_start) VALUES ($1, 100000, now())
      ON CONFLICT (key) DO UPDATE SET attempts = 100000, window_start = now()`,
      [`account:${E2E_USERS.reviewer.email}`],
    );
  } finally {
    await c.end();
  }
  await signIn(knownPage, 'reviewer');

  const fresh = await browser.newContext();
  const p = await fresh.newPage();
  await p.goto('/login');
  await p.getByLabel('Email').fill(E2E_USERS.reviewer.email);
  await p.getByLabel('Password').fill(E2E_USERS.reviewer.password);
  await p.getByRole('button', { name: 'Sign in' }).click();
  await expect(p.getByText('ask an admin to unlock it')).toBeVisible();

  await signIn(page, 'admin');
  await page.goto('/users');
  await page.getByRole('button', { name: `Unlock sign-in for ${E2E_USERS.reviewer.email}` }).click();
  await expect(page.getByText(`Sign-in unlocked for ${E2E_USERS.reviewer.email}`)).toBeVisible();
  await signIn(p, 'reviewer');
  await Promise.all([known.close(), fresh.close()]);
});
