// "Similar photos" when the installed CLIP model declares its embeddings unfit for similarity (the generated test model
// the demo uses: `"nearDuplicates": false`): the drawer and the account page say so, and what to do, instead of "index
// not built yet" or "no embedding yet" (which running the CLIP stage would not change).
import fs from 'node:fs';
import { expect, test } from '@playwright/test';
import { writeTestClipModel } from '../../pipeline/devkit/clip/testModel.ts';
import { e2eClipModelDir, e2eState, signIn } from './fixtures';
import { LAYOUT_NSID } from './seedReview';

// The server reads the installed model's manifest per request: installed for these tests, removed after, so the
// other specs see no model as before.
test.beforeAll(async () => {
  await writeTestClipModel(e2eClipModelDir(e2eState().dataDir));
});
test.afterAll(() => {
  fs.rmSync(e2eClipModelDir(e2eState().dataDir), { recursive: true, force: true });
});

const UNFIT =
  /Similar photos are off: the installed CLIP model, .+, declares its embeddings unfit for similarity/;

for (const width of [1280, 1440, 1920]) {
  test(`the drawer and the account page say the installed model is unfit for similarity, at ${width} px`, async ({
    page,
  }) => {
    await signIn(page, 'reviewer');
    await page.setViewportSize({ width, height: 1000 });
    await page.goto(`/accounts/${encodeURIComponent(LAYOUT_NSID)}?order=rank`);

    const section = page.getByRole('region', { name: 'Similar photos in other accounts' });
    await expect(section.getByText(UNFIT)).toBeVisible();
    await expect(section.getByText('npm run quarry -- models check')).toBeVisible();
    await expect(section.getByText(/not built yet|has a CLIP embedding/)).toHaveCount(0);
    // Nothing to filter: no cutoff offered.
    await expect(section.getByRole('slider', { name: 'Cosine cutoff' })).toHaveCount(0);

    await page
      .getByRole('button', { name: /^Photo / })
      .first()
      .click();
    const drawer = page.getByRole('dialog', { name: /^Photo / });
    const similar = drawer.getByRole('region', { name: 'Similar photos' });
    await expect(similar.getByText(UNFIT)).toBeVisible();
    await expect(similar.getByText(/no index saved yet|No CLIP embedding/)).toHaveCount(0);
    await expect(similar.getByRole('slider', { name: 'Cosine cutoff' })).toHaveCount(0);
    // The notice wraps inside the drawer: no horizontal overflow.
    const box = (await similar.boundingBox())!;
    const notice = (await similar.getByTestId('similarity-unfit').boundingBox())!;
    expect(notice.x + notice.width).toBeLessThanOrEqual(box.x + box.width + 0.5);
    await similar.scrollIntoViewIfNeeded();
    if (process.env.QUARRY_SCREENSHOTS === '1')
      await page.screenshot({ path: `test-results/screenshots/similar-unfit-drawer-${width}.png` });
    await page.keyboard.press('Escape');
    await section.scrollIntoViewIfNeeded();
    if (process.env.QUARRY_SCREENSHOTS === '1')
      await page.screenshot({ path: `test-results/screenshots/similar-unfit-account-${width}.png` });
  });
}
