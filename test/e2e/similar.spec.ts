// "Similar photos" in the photo drawer of the account page: embeddings from the generated test CLIP model, the ANN
// index built as the clip stage's finishing step builds it, neighbours with their cosine, a cutoff, and one click
// that marks a neighbour a duplicate (an audited override).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { db, disconnectDb } from '../../lib/db.ts';
import { syncAnnIndex } from '../../pipeline/clip/annIndex.ts';
import { ClipEncoders } from '../../pipeline/clip/encoders.ts';
import { encodeFloat16 } from '../../pipeline/clip/float16.ts';
import { describeModel } from '../../pipeline/clip/modelDir.ts';
import { clipCrop, toClipTensor } from '../../pipeline/clip/preprocess.ts';
import { writeTestClipModel } from '../../pipeline/devkit/clip/testModel.ts';
import { e2eState, signIn } from './fixtures';
import { LAYOUT_NSID, photoId, LAYOUT_ACCOUNT } from './seedReview';

const PHOTOS = 40;
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
    const ids = Array.from({ length: PHOTOS }, (_, j) => photoId(LAYOUT_ACCOUNT, j));
    const photos = await db().photo.findMany({
      where: { id: { in: ids } },
      select: { id: true, contentHash: true },
    });
    // The layout account's thumbnails (landscape, portrait, panorama, square) through the test model's vision encoder.
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
