// Leaving the review page ends the reviewer's leases (issue 16, items 5 and 7): the page holds the account on screen and
// the reserved next one; navigating away, closing the tab or hiding it releases both at once (a beacon), and coming
// back takes the account on screen again. The lease timeout is only the backstop.
import { expect, test, type Page } from '@playwright/test';
import pg from 'pg';
import { E2E_USERS, e2eState, signIn } from './fixtures';

async function liveLeases(email: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: e2eState().databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ nsid: string }>(
      `SELECT a.nsid FROM accounts a JOIN users u ON u.id = a.lease_user_id WHERE u.email = $1 AND a.lease_expires_at > now() ORDER BY a.nsid`,
      [email],
    );
    return rows.map((r) => r.nsid);
  } finally {
    await client.end();
  }
}

async function startReviewing(page: Page): Promise<string> {
  await page.goto('/accounts');
  await page.getByRole('button', { name: 'Start reviewing' }).click();
  await expect(page).toHaveURL(/\/accounts\/[^/?]+\?order=/);
  await expect(page.getByTestId('review-status')).toHaveText('pending');
  return decodeURIComponent(/\/accounts\/([^/?]+)/.exec(page.url())![1]);
}

const email = E2E_USERS.reviewer2.email;

test('leaving the review page releases the current and the reserved account', async ({ page }) => {
  await signIn(page, 'reviewer2');
  const current = await startReviewing(page);
  // The page holds two leases: the account on screen and the next one, reserved for prefetching.
  await expect.poll(() => liveLeases(email), { timeout: 15_000 }).toHaveLength(2);
  expect(await liveLeases(email)).toContain(current);

  await page.goto('/');
  await expect.poll(() => liveLeases(email), { timeout: 5_000 }).toEqual([]);
});

test('hiding the page releases both leases, coming back takes the account again, and closing the tab releases it', async ({
  page,
}) => {
  await signIn(page, 'reviewer2');
  const current = await startReviewing(page);
  await expect.poll(() => liveLeases(email), { timeout: 15_000 }).toHaveLength(2);

  // Headless Chromium has no other window to switch to: report the page hidden as a browser would, then visible again.
  // Once visible again, the override is removed so the browser's own state (and its events at close) apply.
  const setVisibility = (state: 'hidden' | 'visible') =>
    page.evaluate((s) => {
      Object.defineProperty(document, 'visibilityState', { value: s, configurable: true });
      document.dispatchEvent(new Event('visibilitychange'));
      if (s === 'visible') delete (document as { visibilityState?: string }).visibilityState;
    }, state);
  await setVisibility('hidden');
  await expect.poll(() => liveLeases(email), { timeout: 5_000 }).toEqual([]);
  // Coming back renews the account on screen and reserves a next one again; wait for both answers so that no request
  // still in flight can retake a lease after the tab is closed below.
  const retaken = Promise.all([
    page.waitForResponse(
      (r) =>
        r.url().endsWith(`/api/accounts/${encodeURIComponent(current)}/lease`) &&
        r.request().method() === 'POST',
    ),
    page.waitForResponse((r) => r.url().endsWith('/api/accounts/claim')),
  ]);
  await setVisibility('visible');
  await retaken;
  await expect.poll(() => liveLeases(email), { timeout: 15_000 }).toContain(current);
  await expect.poll(() => liveLeases(email), { timeout: 15_000 }).toHaveLength(2);

  // Closing the tab as a person does (beforeunload, pagehide) sends the beacon.
  await page.close({ runBeforeUnload: true });
  await expect.poll(() => liveLeases(email), { timeout: 5_000 }).toEqual([]);
});

/** The account's row on the queue page, and its holder cell when the queue shows the reviewer holding it. */
const queueRow = (page: Page, nsid: string) =>
  page.getByRole('row', { name: new RegExp(nsid.replace(/[@.]/g, '\\$&')) });
const shownAsYours = (page: Page, nsid: string) => queueRow(page, nsid).getByRole('cell', { name: 'you' });

test("back to the queue by the page's own link releases both leases, and the queue does not show the account as yours", async ({
  page,
}) => {
  await signIn(page, 'reviewer2');
  const current = await startReviewing(page);
  await expect.poll(() => liveLeases(email), { timeout: 15_000 }).toHaveLength(2);
  // A link within the app fires no pagehide: the review page leaving the screen must release the leases itself.
  await page.getByRole('link', { name: '← Queue' }).click();
  await expect(page).toHaveURL(/\/accounts(\?|$)/);
  await expect.poll(() => liveLeases(email), { timeout: 5_000 }).toEqual([]);
  await expect(queueRow(page, current)).toBeVisible();
  await expect(shownAsYours(page, current)).toHaveCount(0, { timeout: 5_000 });
});

test('the way back from a review page returns to the queue in the order chosen', async ({ page }) => {
  await signIn(page, 'reviewer2');
  await page.goto('/accounts');
  const order = page.getByRole('combobox', { name: /^Order/ });
  await order.selectOption('flag');
  await expect(page).toHaveURL(/\/accounts\?order=flag$/);
  await page.getByRole('button', { name: 'Start reviewing' }).click();
  await expect(page).toHaveURL(/\/accounts\/[^/?]+\?order=flag$/);
  await page.getByRole('link', { name: '← Queue' }).click();
  await expect(page).toHaveURL(/\/accounts\?order=flag$/);
  await expect(order).toHaveValue('flag');
  await expect.poll(() => liveLeases(email), { timeout: 5_000 }).toEqual([]);
});

test('a leave beacon that lands late: the queue stops showing the account as yours soon after, not at its 30 s refresh', async ({
  page,
}) => {
  await signIn(page, 'reviewer2');
  const current = await startReviewing(page);
  await expect.poll(() => liveLeases(email), { timeout: 15_000 }).toHaveLength(2);
  // The release lands late: it waits for the page token's row, which this transaction holds until the queue has shown
  // the reviewer as the holder (as a slow beacon would leave it).
  const blocker = new pg.Client({ connectionString: e2eState().databaseUrl });
  await blocker.connect();
  try {
    await blocker.query('BEGIN');
    await blocker.query(
      `SELECT 1 FROM quarry_internal.review_page_tokens t JOIN users u ON u.id = t.user_id WHERE u.email = $1 FOR UPDATE OF t`,
      [email],
    );
    await page.goto('/accounts');
    await expect(shownAsYours(page, current)).toBeVisible();
    await blocker.query('COMMIT');
  } finally {
    await blocker.end();
  }
  await expect.poll(() => liveLeases(email), { timeout: 5_000 }).toEqual([]);
  await expect(shownAsYours(page, current)).toHaveCount(0, { timeout: 8_000 });
});
