// Retakes the README screenshots (public/screenshots/*.png) at 1440 px from a running demo's own data:
//   npm run demo            (wait for its run to finish on /runs)
//   npx tsx test/screenshots/readme.ts      (DATA_DIR and PORT as given to the demo)
// Signs in as the demo reviewer, opens the account with the strongest watermark and the CLIP non-photo check.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from '@playwright/test';

const dataDir = path.resolve(process.env.DATA_DIR ?? 'data');
const baseURL = process.env.BASE_URL ?? `http://localhost:${process.env.PORT ?? 3000}`;
const out = path.resolve(process.env.OUT_DIR ?? 'public/screenshots');
const logins = JSON.parse(readFileSync(path.join(dataDir, 'demo-logins.json'), 'utf8')) as {
  email: string;
  password: string;
  role: string;
}[];
const reviewer = logins.find((l) => l.role === 'reviewer');
if (!reviewer) throw new Error(`no reviewer in ${dataDir}/demo-logins.json: is this the demo's DATA_DIR?`);

/** Waits for the thumbnails in view to load, so the picture shows photos rather than grey boxes. */
async function settle(page: Page): Promise<void> {
  await page.waitForTimeout(1000);
  await page.waitForFunction(
    () =>
      [...document.images]
        .filter((i) => i.getBoundingClientRect().top < innerHeight)
        .every((i) => i.complete),
    null,
    { timeout: 20_000 },
  );
  await page.waitForTimeout(300);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
  args: ['--headless', '--no-sandbox', '--disable-gpu'],
});
try {
  const page = await browser.newPage({ viewport: { width: 1440, height: 900 }, baseURL });
  await page.goto('/login');
  await page.getByLabel('Email').fill(reviewer.email);
  await page.getByLabel('Password').fill(reviewer.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();

  const queue = (await (
    await page.request.get('/api/accounts?order=watermark&page=1&pageSize=1')
  ).json()) as { data: { nsid: string }[] };
  await page.goto(`/accounts/${encodeURIComponent(queue.data[0].nsid)}?order=watermark`);
  await page.getByRole('region', { name: 'Sample photos' }).waitFor();
  await settle(page);
  await page.screenshot({ path: path.join(out, 'account-review.png') });

  await page.goto('/checks/clip_nonphoto');
  await page.getByRole('region', { name: /Photos flagged by/ }).waitFor();
  // Two selected, to show the bulk Pass / Fail.
  await page.locator('[data-cell="1"] input[type=checkbox]').click();
  await page.locator('[data-cell="2"] input[type=checkbox]').click();
  await settle(page);
  await page.screenshot({ path: path.join(out, 'check-review.png') });
  console.log(`Wrote account-review.png and check-review.png to ${out}`);
} finally {
  await browser.close();
}
