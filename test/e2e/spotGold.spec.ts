import { expect, test, type Browser, type Page } from '@playwright/test';
import { E2E_USERS, signIn } from './fixtures';

async function as(browser: Browser, who: keyof typeof E2E_USERS): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await signIn(page, who);
  return page;
}

async function createSpotCheck(page: Page, name: string, size: number, seed: string): Promise<string> {
  await page.goto('/spot-checks');
  await page.getByLabel('Name').fill(name);
  await page.getByLabel('Sample size').fill(String(size));
  await page.getByLabel('Seed (empty: random)').fill(seed);
  await page.getByLabel('Everything ingested').check();
  await page.getByRole('button', { name: 'Create spot-check' }).click();
  await expect(page.getByRole('heading', { name })).toBeVisible();
  return page.url().split('/').pop()!;
}

async function shoot(page: Page, name: string) {
  if (process.env.QUARRY_SCREENSHOTS !== '1') return;
  for (const width of [1280, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/screenshots/${name}-${width}.png`, fullPage: true });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

test('an admin marks a known-answer photo, a reviewer’s spot-check holds it unseen, a wrong label scores them and moves no estimate', async ({
  browser,
}) => {
  test.setTimeout(180_000); // screenshots at three widths, when asked for, take a while on two cores
  const admin = await as(browser, 'admin');
  const reviewer = await as(browser, 'reviewer');

  // The admin opens a photo of a spot-check and marks it: a non-photo, with the reason. A double click writes once.
  await createSpotCheck(admin, 'Gold source', 6, 'gold-source');
  const withImage = admin.locator('[data-testid^="spot-item-"]').filter({ has: admin.locator('img') });
  const open = withImage.first().getByRole('button', { name: /^Open photo / });
  const goldId = (await open.getAttribute('aria-label'))!.replace('Open photo ', '');
  await open.click();
  const known = admin.getByRole('region', { name: 'Known answer for spot-checks' });
  await expect(known.getByTestId('photo-known-answer')).toHaveText('Not a known-answer photo');
  await known.getByLabel('Answer').selectOption('non_photo');
  await known.getByLabel('Why').fill('A flat drawing, not a photograph');
  await shoot(admin, 'spot-gold-drawer');
  await known.getByRole('button', { name: 'Mark as known answer' }).dblclick();
  await expect(known.getByTestId('photo-known-answer')).toContainText(
    'Known answer: Non-photo — “A flat drawing, not a photograph” (E2E Admin',
  );
  await expect(known.getByText('History (1)')).toBeVisible();
  await shoot(admin, 'spot-gold-marked');
  await admin.keyboard.press('Escape');

  // A reviewer's new spot-check of 10 gets one known-answer photo (REVIEW_GOLD_RATE 0.1 in e2e): this one.
  const id = await createSpotCheck(reviewer, 'Reviewer sample', 10, 'gold-review');
  await expect(reviewer.getByRole('button', { name: `Open photo ${goldId}` })).toBeVisible();
  // Nothing tells it apart: not the page, not the payload (every item has the same fields), not the drawer.
  await expect(reviewer.getByTestId('known-answer-item')).toHaveCount(0);
  const payload = await (await reviewer.request.get(`/api/spot-checks/${id}`)).json();
  expect(payload.items).toHaveLength(10);
  expect(new Set(payload.items.map((i: object) => Object.keys(i).sort().join(','))).size).toBe(1);
  expect(JSON.stringify(payload)).not.toMatch(/"gold"|knownAnswer|non_photo|flat drawing/i);
  expect(payload.estimates).toBeNull();
  await expect(reviewer.getByTestId('estimates-withheld')).toBeVisible();
  expect((await reviewer.request.get(`/api/photos/${goldId}/gold`)).status()).toBe(403);
  expect((await reviewer.request.get(`/api/spot-checks/${id}/export?kind=summary`)).status()).toBe(403);
  await reviewer.getByRole('button', { name: `Open photo ${goldId}` }).click();
  await expect(reviewer.getByRole('heading', { name: new RegExp(`^Photo ${goldId}`) })).toBeVisible();
  await expect(reviewer.getByRole('region', { name: 'Known answer for spot-checks' })).toHaveCount(0);
  await reviewer.keyboard.press('Escape');
  await shoot(reviewer, 'spot-gold-reviewer');

  // The reviewer labels every photo "Fine", the known non-photo too: a wrong answer.
  for (let i = 1; i <= 10; i++)
    await reviewer.getByTestId(`spot-item-${i}`).getByRole('button', { name: '1 Fine' }).click();
  await expect(reviewer.getByTestId('labelled-count')).toHaveText('10');
  await expect(reviewer.getByText('All labels saved')).toBeVisible();
  // The list of spot-checks gives the reviewer no rates of it either (they would move with the known answers).
  await reviewer.goto('/spot-checks');
  await expect(reviewer.getByRole('row', { name: /Reviewer sample/ })).toContainText('10/10');
  await expect(
    reviewer
      .getByRole('row', { name: /Reviewer sample/ })
      .getByRole('cell')
      .nth(3),
  ).toHaveText('—');
  await shoot(reviewer, 'spot-gold-list-reviewer');

  // The admin sees the estimates of the 9 drawn photos only, and which item was the known answer.
  await admin.goto(`/spot-checks/${id}`);
  const table = admin.getByRole('table', { name: 'Estimated share of each problem' });
  await expect(table.getByRole('row', { name: /^Fine/ }).getByRole('cell').first()).toHaveText('9/9');
  await expect(
    table
      .getByRole('row', { name: /^Non-photo/ })
      .getByRole('cell')
      .first(),
  ).toHaveText('0/9');
  await expect(admin.getByTestId('known-answer-item')).toHaveText('Known answer: Non-photo');
  await shoot(admin, 'spot-gold-admin');

  // The Review quality page scores the reviewer on photos, beside the known-answer accounts.
  await admin.goto('/quality');
  const row = admin
    .getByRole('table', { name: 'Accuracy on known-answer photos' })
    .getByRole('row', { name: new RegExp(`^${E2E_USERS.reviewer.name} `) });
  await expect(row).toContainText('0 of 1 · 0.0% (0.0% to 79.3%)');
  const list = admin.getByRole('table', { name: 'Known-answer photos' });
  await expect(list.getByRole('row', { name: new RegExp(goldId) })).toContainText('A flat drawing');
  await shoot(admin, 'quality-gold-photos');

  // Unmarking (with its reason) from the list takes the photo out of use, so later specs' samples get none.
  await list.getByRole('button', { name: `Open known-answer photo ${goldId}` }).click();
  const drawer = admin.getByRole('region', { name: 'Known answer for spot-checks' });
  await drawer.getByLabel('Why').fill('Done with the e2e check');
  await drawer.getByRole('button', { name: 'Unmark' }).click();
  await expect(drawer.getByTestId('photo-known-answer')).toHaveText('Not a known-answer photo');
  await expect(drawer.getByText('History (2)')).toBeVisible();
  await admin.keyboard.press('Escape');
  await expect(admin.getByText('None yet: open a photo')).toBeVisible();
  await Promise.all([admin.context().close(), reviewer.context().close()]);
});
