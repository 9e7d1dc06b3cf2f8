import { expect, test } from '@playwright/test';
import pg from 'pg';
import { e2eState, signIn } from './fixtures';

test('an admin exports the dataset from the Export page and downloads the files and their manifest', async ({
  page,
}) => {
  test.setTimeout(90_000);
  await signIn(page, 'admin');
  await page.goto('/export');
  await page.getByRole('checkbox', { name: 'csv' }).check();
  await page.getByRole('button', { name: 'Export dataset' }).click();
  await expect(page.getByText(/Export queued as run/)).toBeVisible();
  const exported = page.getByRole('article', { name: /^Export / }).first();
  await expect(exported.getByTestId('export-status')).toContainText('completed', { timeout: 60_000 });

  const manifestHref = await exported
    .getByRole('link', { name: 'Download manifest.json' })
    .getAttribute('href');
  const manifest = (await (await page.request.get(manifestHref!)).json()) as {
    rowCount: number;
    files: { name: string; sha256: string }[];
    excludedByReason: Record<string, number>;
  };
  expect(manifest.files.map((f) => f.name).sort()).toEqual(['photos.csv', 'photos.parquet']);
  const csv = await page.request.get(
    (await exported.getByRole('link', { name: 'Download photos.csv' }).getAttribute('href'))!,
  );
  expect(csv.headers()['content-type']).toContain('text/csv');
  const lines = (await csv.text()).trim().split('\n');
  expect(lines[0]).toBe(
    'url,url_highres,url_source,photo_id,owner,license,"title","description","tags",width,height,date_upload',
  );
  // User text that a spreadsheet would run stays text: no cell of the file starts with a formula character.
  expect(lines.slice(1).every((l) => !/(^|,)[=+@]/.test(l))).toBe(true);
  await expect(exported.getByTestId('export-status')).toContainText(`${manifest.rowCount} photos`);

  // Names outside the export's own files are refused, whatever the path tricks.
  const base = manifestHref!.replace(/manifest\.json$/, '');
  for (const name of ['..%2F..%2Fauth-secret', 'photos.txt', '.staging.csv'])
    expect((await page.request.get(`${base}${name}`)).status()).toBeGreaterThanOrEqual(400);
});

test('an export while photos are unfetched says why and needs "Export anyway"', async ({ page }) => {
  test.setTimeout(90_000);
  const c = new pg.Client({ connectionString: e2eState().databaseUrl });
  await c.connect();
  const owner = (await c.query<{ nsid: string }>('SELECT nsid FROM accounts ORDER BY nsid LIMIT 1')).rows[0]
    .nsid;
  await c.query(
    `INSERT INTO photos (id, owner_nsid, secret, server, farm, license, date_upload, availability)
    VALUES ('e2e-unfetched-1', $1, 'x', '1', 1, 9, now(), 'unknown')`,
    [owner],
  );
  try {
    await signIn(page, 'admin');
    const refused = await page.request.post('/api/exports', { data: { formats: ['parquet'] } });
    expect(refused.status()).toBe(409);
    expect((await refused.json()).error.message).toMatch(
      /^The export would be partial: 1 photo is not fetched yet\./,
    );

    await page.goto('/export');
    const before = await page.getByRole('article', { name: /^Export / }).count();
    await page.getByRole('button', { name: 'Export dataset' }).click();
    await expect(
      page.getByRole('alert').filter({ hasText: 'The export would be partial: 1 photo is not fetched yet.' }),
    ).toBeVisible();
    await page.getByRole('button', { name: 'Export anyway' }).click();
    await expect(page.getByText(/Export queued as run/)).toBeVisible();
    await expect(page.getByRole('article', { name: /^Export / })).toHaveCount(before + 1, {
      timeout: 30_000,
    });
    await expect(
      page
        .getByRole('article', { name: /^Export / })
        .first()
        .getByTestId('export-status'),
    ).toContainText('completed', { timeout: 60_000 });
  } finally {
    await c.query(`DELETE FROM photos WHERE id = 'e2e-unfetched-1'`);
    await c.end();
  }
});
