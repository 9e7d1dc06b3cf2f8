import { expect, test } from '@playwright/test';
import { E2E_USERS, signIn } from './fixtures';

test('a reviewer signs in, sees the dashboard, is refused the Runs page, and signs out', async ({ page }) => {
  await signIn(page, 'reviewer');
  await expect(page.getByRole('heading', { name: 'Dataset' })).toBeVisible();
  await expect(page.getByText('Photos ingested')).toBeVisible();
  await expect(page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Runs' })).toHaveCount(0);

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
