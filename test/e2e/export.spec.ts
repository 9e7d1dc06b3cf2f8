import { expect, test } from '@playwright/test';
import { signIn } from './fixtures';

test('an admin exports the dataset from the Export page and downloads the files and their manifest', async ({ page }) => {
  test.setTimeout(90_000);
  await signIn(page, 'admin');
  await page.goto('/export');
  await page.getByRole('checkbox', { name: 'csv' }).check();
  await page.getByRole('button', { name: 'Export dataset' }).click();
  await expect(page.getByText(/Export queued as run/)).toBeVisible();
  const exported = page.getByRole('article', { name: /^Export / }).first();
  await expect(exported.getByTestId('export-status')).toContainText('completed', { timeout: 60_000 });

  const manifestHref = await exported.getByRole('link', { name: 'Download manifest.json' }).getAttribute('href');
  const manifest = await (await page.request.get(manifestHref!)).json() as { rowCount: number; files: { name: string; sha256: string }[]; excludedByReason: Record<string, number> };
  expect(manifest.files.map((f) => f.name).sort()).toEqual(['photos.csv', 'photos.parquet']);
  const csv = await page.request.get((await exported.getByRole('link', { name: 'Download photos.csv' }).getAttribute('href'))!);
  expect(csv.headers()['content-type']).toContain('text/csv');
  const lines = (await csv.text()).trim().split('\n');
  expect(lines[0]).toBe('url,url_highres,url_source,photo_id,owner,license,"title","description","tags",width,height,date_upload');
  await expect(exported.getByTestId('export-status')).toContainText(`${manifest.rowCount} photos`);

  // Names outside the export's own files are refused, whatever the path tricks.
  const base = manifestHref!.replace(/manifest\.json$/, '');
  for (const name of ['..%2F..%2Fauth-secret', 'photos.txt', '.staging.csv']) expect((await page.request.get(`${base}${name}`)).status()).toBeGreaterThanOrEqual(400);
});
