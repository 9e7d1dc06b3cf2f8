import { expect, test, type Browser, type Page } from '@playwright/test';
import { E2E_USERS, signIn } from './fixtures';
import { GOLD_ACCOUNT, QC_ACCOUNTS } from './seedQuality';

const [disputed, agreed] = QC_ACCOUNTS;
const url = (nsid: string) => `/accounts/${encodeURIComponent(nsid)}?order=rank`;
let n = 0;
const requestId = () => `e2e-quality-${Date.now()}-${++n}`;

async function as(browser: Browser, who: keyof typeof E2E_USERS): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, who);
  return page;
}

async function decideByApi(page: Page, nsid: string, decision: 'approve' | 'reject', reason?: string) {
  const res = await page.request.post(`/api/accounts/${encodeURIComponent(nsid)}/decisions`, {
    data: { decision, ...(reason ? { reason } : {}), requestId: requestId(), expectedStatus: 'pending' },
  });
  expect(res.status()).toBe(201);
  return (await res.json()).account.reviewStatus as string;
}

async function shoot(page: Page, name: string) {
  if (process.env.QUARRY_SCREENSHOTS !== '1') return;
  for (const width of [1280, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/screenshots/${name}-${width}.png`, fullPage: true });
  }
}

test('two reviewers disagree blind on a double-reviewed account, the admin adjudicates, and the quality page shows the pair', async ({
  browser,
}) => {
  const r1 = await as(browser, 'reviewer');
  const r2 = await as(browser, 'reviewer2');
  const admin = await as(browser, 'admin');

  // The first decision leaves the account pending: it waits for a second reviewer, and never its first one.
  expect(await decideByApi(r1, disputed.nsid, 'approve')).toBe('pending');
  await r1.goto(url(disputed.nsid));
  await expect(r1.getByText('You made the first of this account’s two reviews')).toBeVisible();
  await expect(r1.getByRole('button', { name: 'Approve (A)' })).toBeDisabled();

  // The second reviewer sees neither the first decision nor its reason, and rejects by keyboard.
  await r2.goto(url(disputed.nsid));
  await expect(r2.getByTestId('review-status')).toHaveText('pending');
  await expect(r2.getByText('No decisions yet.')).toBeVisible();
  await expect(r2.getByRole('button', { name: 'Approve (A)' })).toBeEnabled();
  await r2.keyboard.press('r');
  await r2.keyboard.press('1');
  await expect.poll(() => r2.url()).not.toContain(encodeURIComponent(disputed.nsid));
  await expect(r2.getByText('All decisions saved')).toBeVisible(); // sent in the background: let it land before leaving
  await r2.goto('/accounts'); // leaving the review page ends the lease on the account it moved on to

  await admin.goto('/quality');
  const item = admin.getByRole('listitem', { name: `Adjudicate ${disputed.username}` });
  await expect(item).toContainText(`${E2E_USERS.reviewer.name}: approve`);
  await expect(item).toContainText(`${E2E_USERS.reviewer2.name}: reject · Watermarks`);
  const pair = admin.getByRole('row', {
    name: new RegExp(`${E2E_USERS.reviewer.name} & ${E2E_USERS.reviewer2.name}`),
  });
  await expect(pair.getByRole('cell').first()).toHaveText('1');
  await expect(pair.getByRole('cell').nth(1)).toHaveText('0.0%');
  await shoot(admin, 'quality-adjudication');
  await item.getByRole('button', { name: 'Reject' }).click();
  await expect(admin.getByText('No disagreements waiting.')).toBeVisible();

  // All three decisions stay; the adjudicated one counts.
  const history = (
    await (await admin.request.get(`/api/accounts/${encodeURIComponent(disputed.nsid)}/decisions`)).json()
  ).data;
  expect(
    history.map((d: { decision: string; round: number; userName: string }) => [
      d.userName,
      d.decision,
      d.round,
    ]),
  ).toEqual([
    [E2E_USERS.admin.name, 'reject', 3],
    [E2E_USERS.reviewer2.name, 'reject', 2],
    [E2E_USERS.reviewer.name, 'approve', 1],
  ]);
  await admin.goto(url(disputed.nsid));
  await expect(admin.getByTestId('review-status')).toHaveText('rejected · Watermarks');

  // A second account on which they agree: the pair's agreement becomes 1 of 2, and the dashboard says so.
  expect(await decideByApi(r2, agreed.nsid, 'approve')).toBe('pending');
  expect(await decideByApi(r1, agreed.nsid, 'approve')).toBe('approved');
  await admin.goto('/quality');
  await expect(pair.getByRole('cell').first()).toHaveText('2');
  await expect(pair.getByRole('cell').nth(1)).toHaveText('50.0%');
  await shoot(admin, 'quality');
  await admin.goto('/');
  await expect(admin.getByTestId('review-quality-line')).toContainText('50.0% agree');
  await expect(admin.getByTestId('review-quality-line')).toContainText('2 accounts');
  await admin.getByTestId('review-quality-line').scrollIntoViewIfNeeded();
  if (process.env.QUARRY_SCREENSHOTS === '1')
    await admin.screenshot({ path: 'test-results/screenshots/dashboard-quality-line-1280.png' });

  // Send back: the decided account returns to the queue with the reason; the history keeps every step.
  await admin.goto(url(agreed.nsid));
  await expect(admin.getByTestId('review-status')).toHaveText('approved');
  await admin.getByRole('button', { name: 'Send back…' }).click();
  await admin.getByLabel('Why it goes back').fill('The watermark check missed a logo');
  await admin.getByRole('button', { name: 'Send back to the queue' }).click();
  await expect(admin.getByTestId('review-status')).toHaveText('pending');
  await expect(admin.getByRole('list', { name: 'Decision history' })).toContainText(
    'reopen — “The watermark check missed a logo”',
  );
  await admin.goto('/accounts');
  await Promise.all([r1.context().close(), r2.context().close(), admin.context().close()]);
});

test('a reviewer cannot adjudicate or send back, and a send-back needs a reason', async ({ page }) => {
  await signIn(page, 'reviewer');
  const adj = await page.request.post(`/api/accounts/${encodeURIComponent(disputed.nsid)}/adjudication`, {
    data: { decision: 'approve', requestId: requestId() },
  });
  expect(adj.status()).toBe(403);
  const back = await page.request.post(`/api/accounts/${encodeURIComponent(disputed.nsid)}/reopen`, {
    data: { reason: 'x', requestId: requestId() },
  });
  expect(back.status()).toBe(403);
  await page.goto('/quality');
  await expect(page.getByText(/403|not allowed|permission/i).first()).toBeVisible();
});

test('a known-answer account looks like any other to a reviewer, scores them, and leaves the account as it was', async ({
  browser,
}) => {
  const admin = await as(browser, 'admin');
  const reviewer = await as(browser, 'reviewer');
  await admin.goto(url(GOLD_ACCOUNT.nsid));
  const known = admin.getByRole('region', { name: 'Known answer' });
  await known.getByLabel('Reason').selectOption('watermarks');
  await known.getByRole('button', { name: 'Known answer: reject' }).click();
  await expect(admin.getByTestId('known-answer')).toHaveText('Known answer: reject · Watermarks');
  // The admin's page held the account's lease; leaving it hands the account on.
  await admin.goto('/accounts');
  await expect
    .poll(
      async () =>
        (
          await (
            await reviewer.request.get(`/api/accounts/${encodeURIComponent(GOLD_ACCOUNT.nsid)}?sample=0`)
          ).json()
        ).lease.holder,
    )
    .toBeNull();

  await reviewer.goto(url(GOLD_ACCOUNT.nsid));
  await expect(reviewer.getByTestId('review-status')).toHaveText('pending');
  await expect(reviewer.getByText('No decisions yet.')).toBeVisible();
  await expect(reviewer.getByRole('region', { name: 'Known answer' })).toHaveCount(0);
  await expect(reviewer.getByRole('button', { name: 'Approve (A)' })).toBeEnabled();
  await reviewer.keyboard.press('a');
  await expect.poll(() => reviewer.url()).not.toContain(encodeURIComponent(GOLD_ACCOUNT.nsid));
  await expect(reviewer.getByTestId('toast').filter({ hasText: /^Approved/ })).toBeVisible();
  await reviewer.goto('/accounts');

  const history = (
    await (await admin.request.get(`/api/accounts/${encodeURIComponent(GOLD_ACCOUNT.nsid)}/decisions`)).json()
  ).data;
  expect(
    history.map((d: { decision: string; round: number; userName: string }) => [
      d.userName,
      d.decision,
      d.round,
    ]),
  ).toEqual([[E2E_USERS.reviewer.name, 'approve', 4]]);
  // A second answer from the same reviewer is refused, through the API too (the page no longer leases it to them).
  const again = await reviewer.request.post(
    `/api/accounts/${encodeURIComponent(GOLD_ACCOUNT.nsid)}/decisions`,
    {
      data: { decision: 'reject', reason: 'watermarks', requestId: requestId(), expectedStatus: 'pending' },
    },
  );
  expect(again.status()).toBe(409);
  expect((await again.json()).error.message).toMatch(/already answered this known-answer account/);

  // An admin is not offered it (they set and see the answer), and the API refuses them.
  await admin.goto(url(GOLD_ACCOUNT.nsid));
  await expect(admin.getByTestId('review-status')).toHaveText('pending');
  await expect(
    admin.getByText('A known-answer account: reviewers’ answers are scored against the answer below'),
  ).toBeVisible();
  await expect(admin.getByRole('button', { name: 'Approve (A)' })).toBeDisabled();
  await expect(admin.getByRole('button', { name: 'Reject (R)' })).toBeDisabled();
  await admin.keyboard.press('a');
  await shoot(admin, 'gold-admin');
  const byAdmin = await admin.request.post(
    `/api/accounts/${encodeURIComponent(GOLD_ACCOUNT.nsid)}/decisions`,
    {
      data: { decision: 'approve', requestId: requestId(), expectedStatus: 'pending' },
    },
  );
  expect(byAdmin.status()).toBe(403);
  expect((await byAdmin.json()).error.message).toMatch(/^Admins do not answer known-answer accounts/);
  const after = (
    await (await admin.request.get(`/api/accounts/${encodeURIComponent(GOLD_ACCOUNT.nsid)}/decisions`)).json()
  ).data;
  expect(after).toHaveLength(1);
  await admin.goto('/quality');
  const row = admin
    .getByRole('table', { name: 'Accuracy on known answers' })
    .getByRole('row', { name: new RegExp(`^${E2E_USERS.reviewer.name} `) });
  await expect(row).toContainText('0 of 1 · 0.0% (0.0% to 79.3%)');
  await shoot(admin, 'quality-gold');
  // Known-answer accounts come at random in claims: clear it so the queue-driven specs after this one never meet it.
  const clear = await admin.request.post(`/api/accounts/${encodeURIComponent(GOLD_ACCOUNT.nsid)}/gold`, {
    data: { answer: null },
  });
  expect(clear.status()).toBe(200);
  await Promise.all([admin.context().close(), reviewer.context().close()]);
});
