// Keyboard users and screen readers follow DOM focus: in the keyboard-first grids it must sit on the highlighted tile,
// including tiles in rows the virtual grid had not rendered yet when the key was pressed.
import { expect, type Page, test } from '@playwright/test';
import { signIn } from './fixtures';

/** The grid index of the focused element's tile, or null when focus is outside every tile. */
async function focusedTile(page: Page): Promise<number | null> {
  return page.evaluate(() => {
    const el = document.activeElement?.closest('[data-cell]');
    return el ? Number(el.getAttribute('data-cell')) : null;
  });
}

async function highlightedTile(page: Page): Promise<number | null> {
  return page.evaluate(() => {
    const el = document
      .querySelector('[data-cell] .ring-4, [data-cell] [data-active="true"]')
      ?.closest('[data-cell]');
    return el ? Number(el.getAttribute('data-cell')) : null;
  });
}

test('in the spot-check grid, focus moves with the highlighted photo, by letter keys, arrows and into unrendered rows', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await signIn(page, 'reviewer');
  await page.goto('/spot-checks');
  await page.getByLabel('Name').fill(`Focus ${test.info().repeatEachIndex}-${Date.now()}`);
  await page.getByLabel('Sample size').fill('60');
  await page.getByLabel('Everything ingested').check();
  await page.getByRole('button', { name: 'Create spot-check' }).click();
  await expect(page.getByTestId('labelled-count')).toHaveText('0');
  const grid = page.getByRole('region', { name: 'Sample photos to label' });
  await expect(grid.getByTestId('spot-item-1')).toBeVisible();
  await expect.poll(() => focusedTile(page)).toBe(0);

  const check = async (want: number) => {
    await expect.poll(() => highlightedTile(page)).toBe(want);
    await expect.poll(() => focusedTile(page)).toBe(want);
    await expect(
      grid.getByTestId(`spot-item-${want + 1}`).getByRole('button', { name: /^Open photo/ }),
    ).toBeFocused();
  };
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await check(2);
  await page.keyboard.press('ArrowDown');
  const columns = await page.evaluate(
    () => getComputedStyle(document.querySelector('[data-index]')!).gridTemplateColumns.split(' ').length,
  );
  await check(2 + columns);
  await page.keyboard.press('k');
  await check(1 + columns);
  // Labelling keeps focus on the tile; then far down, into rows that did not exist in the DOM a moment ago.
  await page.keyboard.press('1');
  await check(1 + columns);
  for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowDown');
  await check(1 + 7 * columns);
  for (let i = 0; i < 8; i++) await page.keyboard.press('ArrowUp');
  await check(0); // the eighth step up is clamped at the first photo

  // Tab walks from the first photo's buttons into the second's: the highlight (what the number keys label) follows.
  for (let i = 0; i < 6; i++) await page.keyboard.press('Tab');
  const second = grid.getByTestId('spot-item-2');
  await expect(second.getByRole('button', { name: /^1 / })).toBeFocused();
  await expect.poll(() => highlightedTile(page)).toBe(1);
  await page.keyboard.press('2');
  await expect(second.getByRole('button', { name: /^2 / })).toHaveAttribute('aria-pressed', 'true');
  await expect(second.getByRole('button', { name: /^1 / })).toBeFocused();
});

test('in the checks grid too, focus follows the highlight and the highlight follows Tab', async ({
  page,
}) => {
  await page.setViewportSize({ width: 1440, height: 900 });
  await signIn(page, 'reviewer');
  await page.goto('/checks/clip_nonphoto');
  const grid = page.getByRole('region', { name: 'Photos flagged by clip_nonphoto' });
  await expect(grid.locator('[data-cell="3"]')).toBeVisible();
  await page.keyboard.press('j');
  await page.keyboard.press('j');
  await expect.poll(() => highlightedTile(page)).toBe(2);
  await expect.poll(() => focusedTile(page)).toBe(2);
  // Tab past the tile's own buttons into the next tile.
  for (let i = 0; i < 6 && (await focusedTile(page)) === 2; i++) await page.keyboard.press('Tab');
  expect(await focusedTile(page)).toBe(3);
  await expect.poll(() => highlightedTile(page)).toBe(3);
});
