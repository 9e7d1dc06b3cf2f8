import { randomUUID } from 'node:crypto';
import { expect, test, type Page } from '@playwright/test';
import { E2E_USERS, signIn } from './fixtures';
import { screenshot } from './seedReview';

type Decision = {
  decision: string;
  reason: string | null;
  note: string | null;
  userName: string;
  undoesId: string | null;
  id: string;
};

const accountUrl = /\/accounts\/([^/?]+)\?order=rank/;
const nsidOf = (page: Page) => decodeURIComponent(accountUrl.exec(page.url())?.[1] ?? '');

async function history(page: Page, nsid: string): Promise<Decision[]> {
  const res = await page.request.get(`/api/accounts/${encodeURIComponent(nsid)}/decisions`);
  expect(res.ok()).toBe(true);
  return (await res.json()).data;
}

async function nextAccount(page: Page, previous: string): Promise<string> {
  await expect.poll(() => nsidOf(page)).not.toBe(previous);
  await expect(page.getByTestId('review-status')).toHaveText('pending');
  return nsidOf(page);
}

/**
 * The account the page ends on after leaving `previous`, once the reviewer holds its lease and the page shows it ready
 * to decide. A key typed before the account has loaded decides nothing (the reviewer has not seen it), so the next
 * round's 'a' must wait for that too: the lease alone is taken before the page has the account's data.
 */
async function settled(page: Page, previous: string): Promise<string> {
  let nsid = '';
  await expect
    .poll(
      async () => {
        nsid = nsidOf(page);
        if (nsid === previous) return false;
        const body = await (
          await page.request.get(`/api/accounts/${encodeURIComponent(nsid)}?sample=0`)
        ).json();
        return body.lease.mine === true && body.account.reviewStatus === 'pending';
      },
      { timeout: 15_000 },
    )
    .toBe(true);
  await expect(page.getByRole('button', { name: 'Approve (A)' })).toBeEnabled();
  expect(nsidOf(page)).toBe(nsid);
  return nsid;
}

/**
 * The accounts the running test decided. After each test an admin sends them back to the queue, so the spec leaves the
 * queue as it found it: its tests run any number of times (`--repeat-each`) on the seed's few dozen accounts.
 */
const decidedHere = new Set<string>();
const decided = (...nsids: string[]) => {
  for (const n of nsids) decidedHere.add(n);
};

test.afterEach(async ({ browser }) => {
  if (decidedHere.size === 0) return;
  // A sign-in and a few requests on top of the test's own time (which a loaded machine can nearly use up).
  test.setTimeout(test.info().timeout + 30_000);
  const ctx = await browser.newContext();
  try {
    const admin = await ctx.newPage();
    await signIn(admin, 'admin');
    for (const nsid of decidedHere) {
      const res = await admin.request.post(`/api/accounts/${encodeURIComponent(nsid)}/reopen`, {
        data: {
          reason: 'review.spec: back to the queue after the test',
          requestId: `e2e-reopen-${randomUUID()}`,
        },
      });
      // 409: the test left it pending (it undid the decision, or only held the lease).
      expect([201, 409]).toContain(res.status());
    }
  } finally {
    decidedHere.clear();
    await ctx.close();
  }
});

async function startReviewing(page: Page): Promise<string> {
  await page.goto('/accounts');
  const start = page.getByRole('button', { name: 'Start reviewing' });
  await expect(start).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(accountUrl);
  await expect(page.getByRole('region', { name: 'Sample photos' })).toBeVisible();
  return nsidOf(page);
}

test('a reviewer adjudicates three accounts by keyboard only, and the history holds exactly that', async ({
  page,
}) => {
  await signIn(page, 'reviewer');
  const first = await startReviewing(page);
  await expect(page.getByTestId('review-status')).toHaveText('pending');
  await screenshot(page, 'account-review');

  await page.keyboard.press('?');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: 'Keyboard shortcuts' })).toBeHidden();

  await page.keyboard.press('j');
  await page.keyboard.press('Space');
  await expect(page.getByRole('dialog', { name: /^Photo / })).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(page.getByRole('dialog', { name: /^Photo / })).toBeHidden();

  decided(first);
  await page.keyboard.press('a');
  const second = await nextAccount(page, first);
  decided(second);
  await page.keyboard.press('r');
  await page.keyboard.press('3');
  const third = await nextAccount(page, second);
  decided(third);
  await page.keyboard.press('a');
  await nextAccount(page, third);
  await page.keyboard.press('z');
  await expect.poll(() => nsidOf(page)).toBe(third);
  await expect(page.getByTestId('review-status')).toHaveText('pending');
  await page.keyboard.press('r');
  await page.keyboard.press('7');
  await expect(page.getByLabel(/Note \(N\)/)).toBeFocused();
  await page.keyboard.type('Scans of printed pages');
  await page.keyboard.press('Enter');
  await nextAccount(page, third);

  // Newest first; an account may carry decisions from an earlier test (or --repeat-each round), undone since.
  await expect.poll(async () => (await history(page, third))[0]?.note).toBe('Scans of printed pages');
  const name = E2E_USERS.reviewer.name;
  const newest = async (nsid: string, n: number) => (await history(page, nsid)).slice(0, n);
  expect((await newest(first, 1)).map((d) => [d.decision, d.reason, d.userName])).toEqual([
    ['approve', null, name],
  ]);
  expect((await newest(second, 1)).map((d) => [d.decision, d.reason, d.userName])).toEqual([
    ['reject', 'copyright', name],
  ]);
  const h3 = await newest(third, 3);
  expect(h3.map((d) => [d.decision, d.reason, d.note])).toEqual([
    ['reject', 'other', 'Scans of printed pages'],
    ['undo', null, null],
    ['approve', null, null],
  ]);
  expect(h3[1].undoesId).toBe(h3[2].id);
  const statuses = await Promise.all(
    [first, second, third].map(
      async (n) =>
        (await (await page.request.get(`/api/accounts/${encodeURIComponent(n)}?sample=0`)).json()).account
          .reviewStatus,
    ),
  );
  expect(statuses).toEqual(['approved', 'rejected', 'rejected']);
});

test('two reviewers in two browser contexts never get the same account', async ({ browser }) => {
  const [c1, c2] = await Promise.all([browser.newContext(), browser.newContext()]);
  const [p1, p2] = await Promise.all([c1.newPage(), c2.newPage()]);
  await signIn(p1, 'reviewer');
  await signIn(p2, 'reviewer2');
  const [a1, a2] = await Promise.all([startReviewing(p1), startReviewing(p2)]);
  expect(a1).not.toBe(a2);
  decided(a1, a2);

  const seen1 = [a1];
  const seen2 = [a2];
  for (let round = 0; round < 3; round++) {
    await Promise.all([p1.keyboard.press('a'), p2.keyboard.press('a')]);
    // Both may be shown the same prefetched account for a moment; only one gets its lease, the other moves on.
    const [n1, n2] = await Promise.all([settled(p1, seen1.at(-1)!), settled(p2, seen2.at(-1)!)]);
    seen1.push(n1);
    seen2.push(n2);
    decided(n1, n2);
    expect(n1).not.toBe(n2);
  }
  expect(seen1.filter((n) => seen2.includes(n))).toEqual([]);

  const held = seen1.at(-1)!;
  await p2.goto(`/accounts/${encodeURIComponent(held)}?order=rank`);
  await expect(p2.getByText(`${E2E_USERS.reviewer.name} is reviewing this account.`)).toBeVisible();
  await expect(p2.getByRole('button', { name: 'Approve (A)' })).toBeDisabled();
  const refused = await p2.request.post(`/api/accounts/${encodeURIComponent(held)}/decisions`, {
    data: { decision: 'approve', requestId: 'e2e-refused-1', expectedStatus: 'pending' },
  });
  expect(refused.status()).toBe(409);
  expect((await refused.json()).error.message).toContain('holds this account');
  await Promise.all([c1.close(), c2.close()]);
});

test('reloading mid-way loses nothing, and undo still works after the reload', async ({ page }) => {
  await signIn(page, 'reviewer');
  const first = await startReviewing(page);
  decided(first);
  // Newest first; the account may carry decisions from an earlier test (or an earlier --repeat-each round).
  const before = (await history(page, first)).map((d) => d.decision);
  await page.keyboard.press('a');
  const second = await nextAccount(page, first);
  await expect(page.getByText('All decisions saved')).toBeVisible();
  await expect(page.getByTestId('toast').filter({ hasText: /^Approved/ })).toBeVisible();
  await page.reload();
  expect(nsidOf(page)).toBe(second);
  await expect(page.getByTestId('review-status')).toHaveText('pending');
  await expect
    .poll(async () => (await history(page, first)).map((d) => d.decision))
    .toEqual(['approve', ...before]);
  await page.goto('/accounts');
  // Leaving the review page releases the reviewer's leases by a beacon, which the queue's first fetch may overtake (it
  // would show "you" until its next refresh, 30 s on): wait for the release itself, then read the queue afresh.
  await expect
    .poll(
      async () =>
        (await (await page.request.get(`/api/accounts/${encodeURIComponent(second)}?sample=0`)).json()).lease
          .mine,
      { timeout: 15_000 },
    )
    .toBe(false);
  await page.reload();
  // The account is still first in the queue, so it comes back.
  const row = page.getByRole('row', { name: new RegExp(second.replace(/[@.]/g, '\\$&')) });
  await expect(row).toBeVisible();
  await expect(row.getByRole('cell', { name: 'you' })).toHaveCount(0);
  await page.keyboard.press('Enter');
  await expect.poll(() => nsidOf(page)).toBe(second);
  await expect(page.getByRole('region', { name: 'Sample photos' })).toBeVisible();
  // After a reload Z undoes the decision the server names as the reviewer's last; until that answer is in, the button
  // is disabled and the key does nothing.
  await expect(page.getByRole('button', { name: 'Undo last decision (Z)' })).toBeEnabled();
  await page.keyboard.press('z');
  await expect.poll(() => nsidOf(page)).toBe(first);
  await expect(page.getByTestId('review-status')).toHaveText('pending');
  expect((await history(page, first)).map((d) => d.decision)).toEqual(['undo', 'approve', ...before]);
});

test('a toast’s Undo takes the decision back, and an unknown account says so without claiming anything was saved', async ({
  page,
}) => {
  await signIn(page, 'reviewer');
  const first = await startReviewing(page);
  decided(first);
  await page.keyboard.press('r');
  await page.keyboard.press('2');
  await nextAccount(page, first);
  const toast = page.getByTestId('toast').filter({ hasText: /^Rejected \(Non-photos\)/ });
  await expect(toast).toBeVisible();
  await toast.getByRole('button', { name: 'Undo' }).click();
  await expect.poll(() => nsidOf(page)).toBe(first);
  await expect(page.getByTestId('review-status')).toHaveText('pending');
  await expect(page.getByTestId('toast').filter({ hasText: /^Undone:/ })).toBeVisible();
  // Newest first: this reject and its undo (the account may carry an older decision from another test).
  expect((await history(page, first)).slice(0, 2).map((d) => d.decision)).toEqual(['undo', 'reject']);

  await page.goto('/accounts/nobody%40N00?order=rank');
  await expect(page.getByRole('alert').filter({ hasText: 'not found' })).toBeVisible();
  await expect(page.getByText('All decisions saved')).toHaveCount(0);
});

test('an Undo toast goes once its decision is undone, and an undo that finds nothing says so where the toast was', async ({
  page,
}) => {
  await signIn(page, 'reviewer');
  const first = await startReviewing(page);
  decided(first);
  await page.keyboard.press('a');
  await nextAccount(page, first);
  const approved = page.getByTestId('toast').filter({ hasText: /^Approved/ });
  await expect(approved.getByRole('button', { name: 'Undo' })).toBeVisible();

  // Z undoes it: the toast's Undo is no longer offered (it would only fail with "Nothing to undo").
  await page.keyboard.press('z');
  await expect.poll(() => nsidOf(page)).toBe(first);
  await expect(page.getByTestId('toast').filter({ hasText: /^Undone:/ })).toBeVisible();
  // Gone with the undo, not at the end of its 8 s life (which a default wait would outlast).
  await expect(approved).toHaveCount(0, { timeout: 1000 });

  // Decided again, then undone elsewhere (another tab): the toast's Undo now fails, and says why in its place.
  await expect(page.getByRole('button', { name: 'Approve (A)' })).toBeEnabled();
  await page.keyboard.press('a');
  await nextAccount(page, first);
  await expect(approved.getByRole('button', { name: 'Undo' })).toBeVisible();
  const [mine] = await history(page, first);
  expect(mine.decision).toBe('approve');
  const elsewhere = await page.request.post('/api/accounts/undo', {
    data: { requestId: `e2e-undo-${randomUUID()}`, decisionId: mine.id },
  });
  expect(elsewhere.ok()).toBe(true);
  await approved.getByRole('button', { name: 'Undo' }).click();
  const failed = page.getByTestId('toast').filter({ hasText: /^Undo failed for / });
  await expect(failed).toContainText('Nothing to undo (it was already undone)');
  await expect(approved).toHaveCount(0, { timeout: 1000 });
  await expect(page.getByTestId('toast').getByRole('button', { name: 'Undo' })).toHaveCount(0);
  for (const width of [1280, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, `undo-failed-toast-${width}`);
  }
});
