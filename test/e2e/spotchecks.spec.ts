import { expect, test } from '@playwright/test';
import { wilsonInterval } from '../../lib/stats/wilson';
import { signIn } from './fixtures';
import { NO_IMAGE_PHOTOS } from './seedQuality';
import { screenshot } from './seedReview';

/** Label of item i (keys 1–5): four non-photos, three with minor edits + copyright, one non-wholesome, the rest fine. */
function keysFor(i: number): string[] {
  if (i < 4) return ['5'];
  if (i < 7) return ['2', '3'];
  if (i === 7) return ['4'];
  return ['1'];
}

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

test('a spot-check of 50 photos is labelled by keyboard, survives a reload, and its table shows the right counts and intervals', async ({
  page,
}) => {
  await signIn(page, 'reviewer');
  await page.goto('/spot-checks');
  await page.getByLabel('Name').fill('E2E sample');
  await page.getByLabel('Sample size').fill('50');
  await page.getByLabel('Seed (empty: random)').fill('e2e-seed');
  await page.getByLabel('Everything ingested').check();
  await page.getByRole('button', { name: 'Create spot-check' }).click();
  await expect(page.getByRole('heading', { name: 'E2E sample' })).toBeVisible();
  await expect(page.getByTestId('labelled-count')).toHaveText('0');

  const label = async (from: number, to: number) => {
    for (let i = from; i < to; i++) {
      for (const k of keysFor(i)) await page.keyboard.press(k);
      await page.keyboard.press('j');
    }
  };
  await label(0, 25);
  await expect(page.getByTestId('labelled-count')).toHaveText('25');
  await expect(page.getByText('All labels saved')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('labelled-count')).toHaveText('25');
  for (let i = 0; i < 25; i++) await page.keyboard.press('j');
  await expect(page.getByTestId('spot-item-26')).toBeVisible();
  await label(25, 50);
  await expect(page.getByTestId('labelled-count')).toHaveText('50');
  await expect(page.getByText('All labels saved')).toBeVisible();
  await page.reload();
  await expect(page.getByTestId('labelled-count')).toHaveText('50');

  const table = page.getByRole('table', { name: 'Estimated share of each problem' });
  const expected: [string, number][] = [
    ['Fine', 42],
    ['Minor edits or annotations', 3],
    ['Copyright-constrained', 3],
    ['Non-wholesome', 1],
    ['Non-photo', 4],
    ['Any problem', 8],
  ];
  for (const [name, count] of expected) {
    const w = wilsonInterval(count, 50);
    const row = table.getByRole('row', { name: new RegExp(`^${name}`) });
    await expect(row.getByRole('cell').nth(0)).toHaveText(`${count}/50`);
    await expect(row.getByRole('cell').nth(1)).toHaveText(pct(w.share));
    await expect(row.getByRole('cell').nth(2)).toHaveText(`${pct(w.low)}–${pct(w.high)}`);
  }
  await expect(page.getByTestId('spot-item-2').getByRole('button', { name: '5 Non-photo' })).toHaveAttribute(
    'aria-pressed',
    'true',
  );

  const id = page.url().split('/').pop()!;
  const csv = await (await page.request.get(`/api/spot-checks/${id}/export?kind=summary`)).text();
  const nonPhoto = csv.split('\r\n').find((l) => l.includes(',non_photo,'))!;
  expect(nonPhoto).toContain(
    `,4,50,0.0800,${wilsonInterval(4, 50).low.toFixed(4)},${wilsonInterval(4, 50).high.toFixed(4)},`,
  );

  await page.goto('/spot-checks');
  await expect(page.getByRole('row', { name: /E2E sample/ })).toContainText(
    `${pct(0.08)} (${pct(wilsonInterval(4, 50).low)}–${pct(wilsonInterval(4, 50).high)})`,
  );
});

test('a sampled photo the fetch could not store says why on its tile; fetched photos show their thumbnail', async ({
  page,
}) => {
  await signIn(page, 'reviewer');
  for (const p of NO_IMAGE_PHOTOS) {
    await page.goto('/spot-checks');
    await page.getByLabel('Name').fill(`No image ${p.id} ${test.info().repeatEachIndex}`);
    await page.getByLabel('Sample size').fill('12');
    // The sample starts where the seed's hash falls: a seed equal to the photo's id draws that photo first.
    await page.getByLabel('Seed (empty: random)').fill(p.id);
    await page.getByLabel('Everything ingested').check();
    await page.getByRole('button', { name: 'Create spot-check' }).click();
    await expect(page.getByTestId('labelled-count')).toHaveText('0');
    const grid = page.getByRole('region', { name: 'Sample photos to label' });
    const tile = grid.getByRole('button', { name: `Open photo ${p.id}` });
    await expect(tile.getByRole('img')).toHaveAccessibleName(new RegExp(`: ${p.says}`));
    await expect(tile).toContainText(p.says);
    // Every other tile of the sample has a stored thumbnail that loads (the e2e seed once left 130 without one).
    const others = grid.locator('[data-cell]').filter({ hasNot: page.getByText(p.says) });
    await expect(others.first()).toBeVisible();
    expect(await grid.getByText('No image', { exact: true }).count()).toBe(0);
    await page.waitForFunction(() => [...document.images].every((i) => i.complete && i.naturalWidth > 0));
    for (const width of [1280, 1440, 1920]) {
      await page.setViewportSize({ width, height: 900 });
      await tile.scrollIntoViewIfNeeded();
      await screenshot(page, `spot-no-image-${p.id}-${width}`);
    }
  }
});
