// "Similar photos" in the photo drawer of the account page, and "Similar photos in other accounts" on the account page:
// embeddings from the generated test CLIP model, the ANN index built as the clip stage's finishing step builds it,
// neighbours with their cosine, a cutoff, and one click that marks a photo a duplicate (an audited override).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { db, disconnectDb } from '../../lib/db.ts';
import { syncAnnIndex } from '../../pipeline/clip/annIndex.ts';
import { ClipEncoders } from '../../pipeline/clip/encoders.ts';
import { encodeFloat16 } from '../../pipeline/clip/float16.ts';
import { describeModel } from '../../pipeline/clip/modelDir.ts';
import { clipCrop, toClipTensor } from '../../pipeline/clip/preprocess.ts';
import { writeTestClipModel } from '../../pipeline/devkit/clip/testModel.ts';
import { e2eState, signIn } from './fixtures';
import { E2E_ACCOUNTS, LAYOUT_NSID, photoId, LAYOUT_ACCOUNT, PHOTOS_PER_ACCOUNT } from './seedReview';

const PHOTOS = 40;
/** Other accounts with embeddings too (the queue's spare accounts, 13 to 36): the account page's look-alikes. */
const OTHER_ACCOUNTS = Array.from({ length: E2E_ACCOUNTS.length - 13 }, (_, i) => 13 + i);
let modelKey = '';

test.beforeAll(async () => {
  const { databaseUrl, dataDir } = e2eState();
  process.env.DATABASE_URL = databaseUrl;
  const modelDir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarry-e2e-clip-'));
  try {
    await writeTestClipModel(modelDir);
    const model = await describeModel(modelDir);
    modelKey = `${model.name}@${model.hash}`;
    const encoders = await ClipEncoders.open(model, { threads: 1, executionProvider: 'cpu' });
    const ids = [
      ...Array.from({ length: PHOTOS }, (_, j) => photoId(LAYOUT_ACCOUNT, j)),
      ...OTHER_ACCOUNTS.flatMap((a) => Array.from({ length: PHOTOS_PER_ACCOUNT }, (_, j) => photoId(a, j))),
    ];
    const photos = await db().photo.findMany({
      where: { id: { in: ids } },
      select: { id: true, contentHash: true },
    });
    // The thumbnails (landscape, portrait, panorama, square) through the test model's vision encoder.
    const crops = await Promise.all(
      photos.map((p) =>
        clipCrop(
          fs.readFileSync(
            path.join(dataDir, 'images', 'thumbs', p.contentHash!.slice(0, 2), `${p.contentHash}.webp`),
          ),
        ),
      ),
    );
    const vectors = await encoders.encodeImages(
      toClipTensor(Buffer.concat(crops), crops.length),
      crops.length,
    );
    const dim = encoders.dim;
    await db().photoEmbedding.createMany({
      data: photos.map((p, i) => ({
        photoId: p.id,
        model: modelKey,
        vector: new Uint8Array(encodeFloat16(vectors.subarray(i * dim, (i + 1) * dim))),
      })),
      skipDuplicates: true,
    });
    await db().checkResult.createMany({
      data: photos.map((p) => ({
        photoId: p.id,
        check: 'duplicate',
        verdict: 'pass' as const,
        score: 0,
        details: {},
        version: 'e2e',
      })),
      skipDuplicates: true,
    });
    await syncAnnIndex(modelKey, dataDir);
  } finally {
    fs.rmSync(modelDir, { recursive: true, force: true });
    await disconnectDb();
  }
});

test('the drawer shows a photo’s similar photos with their cosine, a cutoff, and marks one a duplicate', async ({
  page,
}) => {
  await signIn(page, 'reviewer');
  await page.goto(`/accounts/${encodeURIComponent(LAYOUT_NSID)}?order=rank`);
  await page
    .getByRole('button', { name: /^Photo / })
    .first()
    .click();
  const drawer = page.getByRole('dialog', { name: /^Photo / });
  await expect(drawer).toBeVisible();
  const list = drawer.getByRole('list', { name: 'Similar photos' });
  await expect(list.getByRole('listitem')).toHaveCount(12);
  await expect(drawer.getByText(`From the nearest-neighbour index of ${modelKey}`)).toBeVisible();
  const cosines = (await list.getByText(/^cos /).allTextContents()).map((t) => Number(t.slice(4)));
  expect(cosines).toEqual([...cosines].sort((a, b) => b - a));

  // The cutoff hides neighbours below it.
  const slider = drawer.getByRole('slider', { name: 'Cosine cutoff' });
  const cutoff = Math.floor(cosines[5] * 100) / 100;
  await slider.fill(cutoff.toFixed(2));
  await expect(list.getByRole('listitem')).toHaveCount(cosines.filter((c) => c >= cutoff).length);
  await slider.fill('0');
  await expect(list.getByRole('listitem')).toHaveCount(12);

  const title = (await drawer.getByRole('heading', { level: 2 }).textContent()) ?? '';
  const self = /Photo (\d+)/.exec(title)![1];
  const first = list.getByRole('listitem').first();
  const mark = first.getByRole('button', { name: /^Mark \d+ duplicate$/ });
  const other = /Mark (\d+) duplicate/.exec((await mark.textContent()) ?? '')![1];
  expect(other).not.toBe(self);
  await mark.click();
  await expect(
    page.getByTestId('toast').filter({ hasText: `Photo ${other} marked a duplicate of ${self}` }),
  ).toBeVisible();
  await expect(first.getByText('Duplicate', { exact: true })).toBeVisible();

  // Audited: an override row by this reviewer, with the pair and its cosine as the reason.
  process.env.DATABASE_URL = e2eState().databaseUrl;
  const overrides = await db().override.findMany({ where: { photoId: other, check: 'duplicate' } });
  // overrides.user_id is a plain column (no Prisma relation since migration 20261205221000).
  const by = await db().user.findUnique({ where: { id: overrides[0]?.userId ?? '' } });
  await disconnectDb();
  expect(overrides).toHaveLength(1);
  expect(overrides[0]).toMatchObject({ oldVerdict: 'pass', newVerdict: 'fail' });
  expect(overrides[0].reason).toMatch(new RegExp(`^duplicate of ${self} \\(CLIP cosine 0\\.\\d{3}\\)$`));
  expect(by?.name).toBe('E2E Reviewer');
});

for (const width of [1280, 1440, 1920]) {
  test(`similar photos lay out at ${width} px`, async ({ page }) => {
    await signIn(page, 'reviewer');
    await page.setViewportSize({ width, height: 1000 });
    await page.goto(`/accounts/${encodeURIComponent(LAYOUT_NSID)}?order=rank`);
    await page
      .getByRole('button', { name: /^Photo / })
      .nth(1)
      .click();
    const drawer = page.getByRole('dialog', { name: /^Photo / });
    const section = drawer.getByRole('region', { name: 'Similar photos' });
    await expect(section.getByRole('listitem')).toHaveCount(12);
    await section.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => [...document.images].every((i) => i.complete));
    // Every thumbnail sits inside its card, whatever the photo's shape.
    for (const card of await section.getByRole('listitem').all()) {
      const c = (await card.boundingBox())!;
      const img = (await card.getByRole('img').first().boundingBox())!;
      expect(img.x).toBeGreaterThanOrEqual(c.x - 0.5);
      expect(img.x + img.width).toBeLessThanOrEqual(c.x + c.width + 0.5);
    }
    if (process.env.QUARRY_SCREENSHOTS === '1')
      await page.screenshot({ path: `test-results/screenshots/similar-${width}.png` });
  });
}

const lookalikes = (page: Page) => page.getByRole('region', { name: 'Similar photos in other accounts' });
const cosinesIn = async (list: Locator) =>
  (await list.getByText(/^cos /).allTextContents()).map((t) => Number(t.slice(4)));

test('the account page pairs its photos with look-alikes in other accounts: cutoff, pages, keyboard, mark duplicate', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await signIn(page, 'reviewer');
  await page.goto(`/accounts/${encodeURIComponent(LAYOUT_NSID)}?order=rank`);
  const section = lookalikes(page);
  await expect(
    section.getByText(/^All 40 of its photos were searched, each for its nearest photos/),
  ).toBeVisible();
  await expect(section.getByText(modelKey, { exact: false }).first()).toBeVisible();
  const list = section.getByRole('list', { name: 'Pairs with other accounts' });
  const slider = section.getByRole('slider', { name: 'Cosine cutoff' });
  await slider.fill('0');
  const count = section.getByText(/ at cosine ≥ 0\.00 \(of \d+ found\)/);
  const total = Number(/of (\d+) found/.exec((await count.textContent()) ?? '')![1]);
  expect(total).toBeGreaterThan(12);
  expect(total).toBeLessThanOrEqual(3 * PHOTOS);
  await expect(list.getByRole('listitem')).toHaveCount(12);
  const first = await cosinesIn(list);
  expect(first).toEqual([...first].sort((a, b) => b - a));
  // Every pair is one of this account's photos and a photo of another account.
  for (const text of await list.getByRole('listitem').allTextContents()) {
    expect(text).toMatch(/other account \d+@N01/);
    expect(text).not.toContain(`other account ${LAYOUT_NSID}`);
  }

  // Pages of 12, best first throughout.
  await section.getByRole('button', { name: 'Next pairs' }).click();
  await expect(section.getByText(`showing 13–${Math.min(24, total)}.`)).toBeVisible();
  const second = await cosinesIn(list);
  expect(Math.max(...second)).toBeLessThanOrEqual(first[11]);
  await expect(section.getByText(`Page 2 of ${Math.ceil(total / 12)}`)).toBeVisible();

  // The cutoff hides pairs below it and starts again at the first page; above every pair, it says so.
  const cutoff = Math.floor(first[4] * 100) / 100;
  await slider.fill(cutoff.toFixed(2));
  await expect(section.getByText(/showing 1–/)).toBeVisible();
  const kept = Number(
    /^(\d+) pairs? at/.exec((await section.getByText(/ at cosine ≥ /).textContent()) ?? '')![1],
  );
  expect(kept).toBeGreaterThanOrEqual(5);
  expect(kept).toBeLessThan(total);
  for (const c of await cosinesIn(list)) expect(c).toBeGreaterThanOrEqual(cutoff);
  const above = Math.ceil(first[0] * 100 + 1e-9) / 100;
  if (above <= 1) {
    await slider.fill(above.toFixed(2));
    await expect(
      section.getByText(`No pair at cosine ≥ ${above.toFixed(2)} (of ${total} found).`),
    ).toBeVisible();
    await expect(list.getByRole('listitem')).toHaveCount(0);
  }
  // The slider answers the keyboard, and the review shortcuts leave its arrow keys alone.
  await slider.fill('0.50');
  await slider.focus();
  await page.keyboard.press('ArrowLeft');
  await expect(section.locator('output')).toHaveText('0.49');

  // One key press on a pair's button marks this account's photo a duplicate of the other account's.
  await slider.fill('0');
  const card = list
    .getByRole('listitem')
    .filter({ has: page.getByRole('button', { name: /^Mark \d+ duplicate$/ }) })
    .first();
  const mark = card.getByRole('button', { name: /^Mark \d+ duplicate$/ });
  const mine = /Mark (\d+) duplicate/.exec((await mark.textContent()) ?? '')![1];
  const other = new RegExp(`${mine} ↔ (\\d+)`).exec((await card.textContent()) ?? '')![1];
  const pair = list.getByRole('listitem').filter({ hasText: `${mine} ↔ ${other}` });
  await mark.focus();
  await page.keyboard.press('Enter');
  await expect(
    page.getByTestId('toast').filter({ hasText: `Photo ${mine} marked a duplicate of ${other}` }),
  ).toBeVisible();
  await expect(pair.getByText('Duplicate', { exact: true })).toBeVisible();

  process.env.DATABASE_URL = e2eState().databaseUrl;
  const overrides = await db().override.findMany({ where: { photoId: mine, check: 'duplicate' } });
  const by = await db().user.findUnique({ where: { id: overrides[0]?.userId ?? '' } });
  await disconnectDb();
  expect(overrides).toHaveLength(1);
  expect(overrides[0]).toMatchObject({ oldVerdict: 'pass', newVerdict: 'fail' });
  expect(overrides[0].reason).toMatch(new RegExp(`^duplicate of ${other} \\(CLIP cosine 0\\.\\d{3}\\)$`));
  expect(by?.name).toBe('E2E Reviewer');

  // A thumbnail opens that photo in the details drawer.
  await pair.getByRole('button', { name: `Open photo ${other} of `, exact: false }).click();
  await expect(page.getByRole('dialog', { name: /^Photo / })).toBeVisible();
});

test('the account page says when the index is not built yet, and how to build it; the route checks its input', async ({
  page,
}) => {
  const dir = path.join(e2eState().dataDir, 'ann');
  fs.renameSync(dir, `${dir}.hidden`);
  try {
    await signIn(page, 'reviewer');
    await page.goto(`/accounts/${encodeURIComponent(LAYOUT_NSID)}?order=rank`);
    const section = lookalikes(page);
    await expect(section.getByText(/index of CLIP embeddings is not built yet/)).toBeVisible();
    await expect(section.getByText('npm run quarry -- clip')).toBeVisible();
    // Its heading collapses it (a reviewer who does not want it costs the server no searches on the next accounts).
    await page.getByText('Similar photos in other accounts').click();
    await expect(section).toBeHidden();
  } finally {
    fs.renameSync(`${dir}.hidden`, dir);
  }
  expect((await page.request.get('/api/accounts/nobody%40N99/similar')).status()).toBe(404);
  const bad = await page.request.get('/api/accounts/%3Cscript%3E/similar');
  expect(bad.status()).toBe(400);
});

for (const width of [1280, 1440, 1920]) {
  test(`similar photos in other accounts lay out at ${width} px`, async ({ page }) => {
    await signIn(page, 'reviewer');
    await page.setViewportSize({ width, height: 1000 });
    await page.goto(`/accounts/${encodeURIComponent(LAYOUT_NSID)}?order=rank`);
    const section = lookalikes(page);
    await section.getByRole('slider', { name: 'Cosine cutoff' }).fill('0');
    const cards = section.getByRole('list', { name: 'Pairs with other accounts' }).getByRole('listitem');
    await expect(cards).toHaveCount(12);
    await section.scrollIntoViewIfNeeded();
    await page.waitForFunction(() => [...document.images].every((i) => i.complete));
    // Both thumbnails of every pair sit inside its card, whatever the photos' shapes.
    for (const card of await cards.all()) {
      const c = (await card.boundingBox())!;
      for (const img of await card.getByRole('img').all()) {
        const b = (await img.boundingBox())!;
        expect(b.x).toBeGreaterThanOrEqual(c.x - 0.5);
        expect(b.x + b.width).toBeLessThanOrEqual(c.x + c.width + 0.5);
      }
    }
    if (process.env.QUARRY_SCREENSHOTS === '1') {
      await section.evaluate((el) => el.scrollIntoView({ block: 'start' }));
      await page.screenshot({ path: `test-results/screenshots/account-lookalikes-${width}.png` });
    }
  });
}
