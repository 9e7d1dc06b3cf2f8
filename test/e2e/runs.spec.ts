import { expect, test } from '@playwright/test';
import { signIn } from './fixtures';
import { E2E_RUN_RANGE } from './seedRuns';

test('an admin starts a run of every stage from the browser, watches it progress live, and exports the dataset', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signIn(page, 'admin');
  await page.goto('/runs');
  await expect(page.getByRole('heading', { name: 'Start a run' })).toBeVisible();
  for (const stage of ['Ingest', 'Fetch & analyze', 'CLIP checks', 'Watermarks', 'Export']) {
    await expect(page.getByRole('checkbox', { name: stage })).toBeChecked();
  }
  await page.getByLabel('Uploaded from').fill(E2E_RUN_RANGE.from);
  await page.getByLabel('Uploaded to').fill(E2E_RUN_RANGE.to);
  await page.getByRole('checkbox', { name: 'jsonl' }).check();
  await page.getByRole('button', { name: 'Start run' }).click();

  const run = page.getByRole('article', { name: /^Run / }).first();
  await expect(run).toBeVisible();
  // Progress moves without a reload: the ingest bar fills, then analyze's total appears and its bar fills.
  const ingest = run.getByRole('progressbar', { name: 'Ingest progress' });
  await expect(ingest).toHaveAttribute('aria-valuenow', /[1-9]/, { timeout: 60_000 });
  const analyze = run.getByRole('progressbar', { name: 'Fetch & analyze progress' });
  await expect(analyze).toHaveAttribute('aria-valuemax', /[1-9]/, { timeout: 60_000 });
  await expect(run.getByTestId('run-status')).toHaveText('completed', { timeout: 120_000 });
  const total = await analyze.getAttribute('aria-valuemax');
  await expect(analyze).toHaveAttribute('aria-valuenow', total!);
  await expect(run.getByTestId('stage-clip')).toContainText('CLIP model not installed');
  await run.getByText('Resolved configuration').click();
  await expect(run.locator('pre')).toContainText(`"from": "${E2E_RUN_RANGE.from}"`);

  await page
    .getByRole('navigation', { name: 'Main' })
    .getByRole('link', { name: 'Export', exact: true })
    .click();
  const exported = page.getByRole('article', { name: /^Export / }).first();
  await expect(exported.getByTestId('export-status')).toContainText('completed');
  const parquet = exported.getByRole('link', { name: 'Download photos.parquet' });
  const res = await page.request.get((await parquet.getAttribute('href'))!);
  expect(res.status()).toBe(200);
  expect(res.headers()['content-disposition']).toMatch(/attachment; filename=".*photos\.parquet"/);
  const body = await res.body();
  expect(body.subarray(0, 4).toString()).toBe('PAR1');
  const jsonl = await page.request.get(
    (await exported.getByRole('link', { name: 'Download photos.jsonl' }).getAttribute('href'))!,
  );
  const rows = (await jsonl.text())
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { url_highres: string });
  const status = await exported.getByTestId('export-status').textContent();
  expect(status).toContain(`${rows.length} photos`);
  expect(rows[0].url_highres).toMatch(/^https:\/\/live\.staticflickr\.com\/\d+\/\d+_\w+_b\.jpg$/);

  // Starting a run with an invalid configuration is refused with the reason.
  await page.goto('/runs');
  await page.getByLabel('Uploaded from').fill('2023-05-01');
  await page.getByLabel('Uploaded to').fill('2023-01-01');
  await page.getByRole('button', { name: 'Start run' }).click();
  await expect(page.getByText('to: must not be before from')).toBeVisible();
});

test('a reviewer gets 403 on the runs and export APIs', async ({ page }) => {
  await signIn(page, 'reviewer');
  expect((await page.request.get('/api/runs')).status()).toBe(403);
  expect((await page.request.post('/api/runs', { data: { stages: ['export'] } })).status()).toBe(403);
  expect((await page.request.post('/api/runs/00000000-0000-4000-8000-000000000000/cancel')).status()).toBe(
    403,
  );
  expect((await page.request.get('/api/exports')).status()).toBe(403);
  expect((await page.request.post('/api/exports', { data: { formats: ['parquet'] } })).status()).toBe(403);
  expect((await page.goto('/export'))?.status()).toBe(403);
});
