import { expect, test, type Page } from '@playwright/test';
import { signIn } from './fixtures';
import { BULK_ACCOUNT, bulkPhotoId } from './seedQuality';

async function inclusion(page: Page, id: string): Promise<{ included: boolean; reasons: string[] }> {
  return (await (await page.request.get(`/api/photos/${id}`)).json()).inclusion;
}
async function shoot(page: Page, name: string) {
  if (process.env.QUARRY_SCREENSHOTS !== '1') return;
  for (const width of [1280, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await page.screenshot({ path: `test-results/screenshots/${name}-${width}.png` });
  }
  await page.setViewportSize({ width: 1280, height: 800 });
}

const overridden = async (page: Page) =>
  (
    await (
      await page.request.get(
        `/api/checks/resolution?account=${encodeURIComponent(BULK_ACCOUNT.nsid)}&status=overridden&pageSize=1`,
      )
    ).json()
  ).total;

test('a bulk override of every result of a filter spanning several pages is one batch, undone as one batch', async ({
  page,
}) => {
  await signIn(page, 'reviewer');
  await page.goto('/checks/resolution');
  await page.getByLabel('Account').fill(BULK_ACCOUNT.nsid);
  await page.getByLabel('Per page').selectOption('100');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByText(`${BULK_ACCOUNT.photos} photos`)).toBeVisible();
  await expect(page.getByText('Page 1 of 2')).toBeVisible();
  // The lowest score is on the second page: "all matching" must reach it, not only the page on screen.
  const last = bulkPhotoId(0);
  expect(await inclusion(page, last)).toEqual({ included: false, reasons: ['check:resolution'] });

  await page.getByLabel('Reason').fill('originals are large enough');
  const bulk = page.getByRole('region', { name: 'Bulk actions' });
  await bulk.getByRole('button', { name: 'Pass all matching…' }).click();
  const confirm = bulk.getByRole('group', { name: 'Confirm bulk action' });
  await expect(confirm).toContainText(`Pass ${BULK_ACCOUNT.photos} photos on Resolution`);
  await shoot(page, 'bulk-confirm');
  await confirm.getByRole('button', { name: `Pass all ${BULK_ACCOUNT.photos}` }).click();
  await expect(
    page
      .getByTestId('toast')
      .filter({ hasText: `Passed all ${BULK_ACCOUNT.photos} matching photos on Resolution (one batch)` }),
  ).toBeVisible();
  await expect.poll(() => overridden(page)).toBe(BULK_ACCOUNT.photos);
  expect(await inclusion(page, last)).toEqual({ included: true, reasons: [] });
  // The top card shows the override in force, by whom.
  const top = page.getByTestId(`check-photo-${bulkPhotoId(BULK_ACCOUNT.photos - 1)}`);
  await expect(top).toContainText('now pass');
  await expect(top.getByTitle(/^by E2E Reviewer at /)).toBeVisible();
  const batches = bulk.getByRole('list', { name: 'Recent batches' });
  await expect(batches.getByRole('listitem').first()).toContainText(
    `Passed ${BULK_ACCOUNT.photos} photos — “originals are large enough”`,
  );

  await batches.getByRole('listitem').first().getByRole('button', { name: 'Undo batch' }).click();
  await expect(
    page.getByTestId('toast').filter({ hasText: `Undone as a batch: ${BULK_ACCOUNT.photos} photos` }),
  ).toBeVisible();
  await expect.poll(() => inclusion(page, last)).toEqual({ included: false, reasons: ['check:resolution'] });
  await expect(batches.getByRole('listitem').nth(1)).toContainText('undone');
  await expect(batches.getByRole('listitem').nth(1).getByRole('button', { name: 'Undo batch' })).toHaveCount(
    0,
  );
  await shoot(page, 'bulk-batches');

  // Undone, no override of the photos stands: the cards show the machine's verdict only, none of them is Reviewed, and
  // the drawer still has the whole history (the batch's row and the undo's).
  await expect.poll(() => overridden(page)).toBe(0);
  await expect(top).toContainText('auto fail');
  await expect(top).not.toContainText('now');
  await top.getByRole('button', { name: `Open photo ${bulkPhotoId(BULK_ACCOUNT.photos - 1)}` }).click();
  const drawer = page.getByRole('dialog', {
    name: new RegExp(`^Photo ${bulkPhotoId(BULK_ACCOUNT.photos - 1)}`),
  });
  await expect(
    drawer.getByText(/E2E Reviewer: Resolution fail → pass \(originals are large enough\)/),
  ).toBeVisible();
  await expect(drawer.getByText(/E2E Reviewer: Resolution pass → fail \(undo of batch /)).toBeVisible();
  await shoot(page, 'bulk-undone-drawer');
  await drawer.getByRole('button', { name: 'Close' }).click();
  await page.getByLabel('Review').selectOption('overridden');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByText(/^0 photos · /)).toBeVisible();
  await page.getByLabel('Review').selectOption('open');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByText(new RegExp(`^${BULK_ACCOUNT.photos} photos · `))).toBeVisible();
  await expect(top).not.toContainText('now');
  await shoot(page, 'bulk-undone-open');
});
