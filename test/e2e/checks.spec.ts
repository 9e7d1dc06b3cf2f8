import { expect, test, type Page } from '@playwright/test';
import { signIn } from './fixtures';
import { CHECK_TARGETS, screenshot } from './seedReview';

async function inclusion(page: Page, id: string): Promise<{ included: boolean; reasons: string[] }> {
  return (await (await page.request.get(`/api/photos/${id}`)).json()).inclusion;
}

test('a reviewer overrides CLIP non-photo verdicts, one and many, and the photos’ inclusion changes', async ({
  page,
}) => {
  await signIn(page, 'reviewer');
  await page.goto('/checks');
  const row = page.getByRole('row', { name: /CLIP non-photo/ });
  await expect(row).toBeVisible();
  await row.getByRole('link', { name: 'Review CLIP non-photo' }).click();
  await expect(page.getByRole('heading', { name: 'CLIP non-photo' })).toBeVisible();

  await page.getByLabel('Account').fill('1012@N01');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByText('4 photos')).toBeVisible();
  const [one, ...rest] = CHECK_TARGETS;
  const card = page.getByTestId(`check-photo-${one}`);
  await expect(card.getByRole('list', { name: 'CLIP’s top classes' })).toContainText('an illustration');

  await card.getByRole('button', { name: `Open photo ${one}` }).click();
  const drawer = page.getByRole('dialog', { name: new RegExp(`^Photo ${one}`) });
  await expect(drawer.getByTestId('inclusion')).toHaveText('Excluded: Failed: CLIP non-photo');
  await expect(drawer.getByRole('link', { name: 'Open on Flickr' })).toHaveAttribute(
    'href',
    `https://www.flickr.com/photos/1012%40N01/${one}`,
  );
  await drawer.getByRole('button', { name: 'Close' }).click();
  expect(await inclusion(page, one)).toEqual({ included: false, reasons: ['check:clip_nonphoto'] });

  await card.getByRole('button', { name: `Pass ${one}` }).click();
  await expect.poll(() => inclusion(page, one)).toEqual({ included: true, reasons: [] });
  await card.getByRole('button', { name: `Open photo ${one}` }).click();
  await expect(drawer.getByTestId('inclusion')).toHaveText('Included in the dataset');
  await expect(drawer.getByText(/E2E Reviewer: CLIP non-photo fail → pass/)).toBeVisible();
  await drawer.getByRole('button', { name: 'Close' }).click();

  // Many at once: click the first, shift-click the last.
  await page.getByRole('checkbox', { name: `Select photo ${rest[0]}` }).click();
  await page.getByRole('checkbox', { name: `Select photo ${rest.at(-1)}` }).click({ modifiers: ['Shift'] });
  await expect(page.getByText('3 selected')).toBeVisible();
  await page.getByRole('button', { name: 'Pass selected (3)' }).click();
  // The bulk action confirms itself, with Undo.
  const toast = page.getByTestId('toast').filter({ hasText: 'Passed 3 photos on CLIP non-photo' });
  await expect(toast).toBeVisible();
  await expect(toast.getByRole('button', { name: 'Undo' })).toBeVisible();
  for (const id of rest)
    await expect.poll(() => inclusion(page, id)).toEqual({ included: true, reasons: [] });

  // Filters: the reviewed photos are gone from "Not yet reviewed".
  await page.getByLabel('Review').selectOption('open');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await expect(page.getByText('Nothing to review with these filters.')).toBeVisible();

  await page.goto('/checks/clip_nonphoto');
  await expect(page.getByRole('region', { name: 'Photos flagged by clip_nonphoto' })).toBeVisible();
  await page.getByRole('checkbox', { name: 'Select photo 702000' }).click();
  await screenshot(page, 'check-review');
});
