// Every review grid at real screen widths, with portrait, landscape, panorama and square thumbnails: no cell overlaps
// another, and every badge, evidence line and button is what a click at its centre would hit. Scrolls the whole grid.
import { expect, test, type Page } from '@playwright/test';
import { signIn } from './fixtures';
import { LAYOUT_NSID, LAYOUT_USERNAME } from './seedReview';

const WIDTHS = [1280, 1440, 1920, 2560];

type Report = { cells: number; probes: number; problems: string[]; atBottom: boolean };

/** Checks what is rendered now: cell boxes pairwise, and each probe's centre (those inside the visible grid). */
function inspect(label: string): Report {
  const region = document.querySelector<HTMLElement>(`[role="region"][aria-label="${label}"]`);
  if (!region) return { cells: 0, probes: 0, problems: [`no grid "${label}"`], atBottom: true };
  const view = region.getBoundingClientRect();
  const cells = [...region.querySelectorAll<HTMLElement>('[data-cell]')].map((el) => ({
    id: el.dataset.cell,
    r: el.getBoundingClientRect(),
  }));
  const problems: string[] = [];
  for (let i = 0; i < cells.length; i++) {
    for (let k = i + 1; k < cells.length; k++) {
      const a = cells[i].r;
      const b = cells[k].r;
      const overlapX = Math.min(a.right, b.right) - Math.max(a.left, b.left);
      const overlapY = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
      if (overlapX > 0.5 && overlapY > 0.5)
        problems.push(
          `cells ${cells[i].id} and ${cells[k].id} overlap by ${overlapX.toFixed(0)}×${overlapY.toFixed(0)} px`,
        );
    }
  }
  let probes = 0;
  for (const el of region.querySelectorAll<HTMLElement>(
    '[data-cell] button, [data-cell] [data-badge], [data-cell] [data-evidence]',
  )) {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.height === 0) {
      problems.push(`${el.outerHTML.slice(0, 80)} has no size`);
      continue;
    }
    const x = r.left + r.width / 2;
    const y = r.top + r.height / 2;
    // Only what the grid shows now; the rest is checked after scrolling.
    if (y < view.top + 4 || y > view.bottom - 4 || x < view.left || x > view.right || y > window.innerHeight)
      continue;
    probes++;
    const hit = document.elementFromPoint(x, y);
    if (!hit || !(hit === el || el.contains(hit))) {
      const cell = el.closest<HTMLElement>('[data-cell]')?.dataset.cell;
      problems.push(
        `cell ${cell}: "${(el.textContent || el.getAttribute('aria-label') || el.tagName).trim().slice(0, 40)}" is covered by <${hit?.tagName.toLowerCase()}> "${hit?.textContent?.trim().slice(0, 40)}"`,
      );
    }
  }
  return {
    cells: cells.length,
    probes,
    problems,
    atBottom: region.scrollTop + region.clientHeight >= region.scrollHeight - 2,
  };
}

async function checkGrid(page: Page, label: string): Promise<void> {
  const region = page.getByRole('region', { name: label });
  await expect(region).toBeVisible();
  await expect(region.locator('[data-cell]').first()).toBeVisible();
  await region.evaluate((el) => {
    el.scrollTop = 0;
  });
  let probes = 0;
  const seen = new Set<string>();
  for (let step = 0; step < 60; step++) {
    // Let the virtualiser render and measure the rows now in view. Thumbnails sit in fixed boxes, so their loading
    // cannot move anything.
    await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
    await page.waitForTimeout(60);
    const report = await page.evaluate(inspect, label);
    expect(report.problems, `${label} at ${page.viewportSize()?.width} px, step ${step}`).toEqual([]);
    probes += report.probes;
    for (const id of await region
      .locator('[data-cell]')
      .evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset.cell!)))
      seen.add(id);
    if (report.atBottom) break;
    await region.evaluate((el) => {
      el.scrollTop += el.clientHeight * 0.7;
    });
  }
  const total = await page.evaluate(
    (l) => document.querySelector(`[aria-label="${l}"]`)!.querySelectorAll('[data-cell]').length,
    label,
  );
  expect(total, `${label}: cells rendered`).toBeGreaterThan(0);
  expect(probes, `${label}: badges, evidence and buttons checked`).toBeGreaterThanOrEqual(5);
  expect(seen.size, `${label}: scrolled through every cell`).toBeGreaterThan(0);
}

test('every review grid holds its cells apart and shows every badge, evidence line and button, at 1280 to 2560 px', async ({
  page,
}) => {
  test.setTimeout(300_000);
  await signIn(page, 'admin');
  // A spot-check to label, large enough for several rows at every width.
  await page.goto('/spot-checks');
  await page.getByLabel('Name').fill('Layout sample');
  await page.getByLabel('Sample size').fill('80');
  await page.getByLabel('Seed (empty: random)').fill('layout-seed');
  await page.getByLabel('Everything ingested').check();
  await page.getByRole('button', { name: 'Create spot-check' }).click();
  await expect(page.getByRole('heading', { name: 'Layout sample' })).toBeVisible();
  const spotUrl = page.url();

  const grids: { url: string; label: string }[] = [
    { url: `/accounts/${encodeURIComponent(LAYOUT_NSID)}?order=rank`, label: 'Sample photos' },
    { url: '/checks/watermark', label: 'Photos flagged by watermark' },
    { url: '/checks/border', label: 'Photos flagged by border' },
    { url: '/checks/clip_nonphoto', label: 'Photos flagged by clip_nonphoto' },
    { url: '/checks/copyright_text', label: 'Photos flagged by copyright_text' },
    { url: '/checks/duplicate', label: 'Photos flagged by duplicate' },
    { url: spotUrl, label: 'Sample photos to label' },
  ];
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    for (const g of grids) {
      await page.goto(g.url);
      await checkGrid(page, g.label);
    }
  }
});

test('a user name with a right-to-left override does not reverse the app’s own text beside it', async ({
  page,
}) => {
  await signIn(page, 'admin');
  // The layout account's Flickr user name carries U+202E (seeded); its NSID follows it on the same line of the queue.
  await page.goto('/accounts');
  const cell = page
    .getByRole('row', { name: new RegExp(LAYOUT_NSID.replace(/[@.]/g, '\\$&')) })
    .getByRole('cell')
    .nth(1);
  await expect(cell).toContainText(LAYOUT_USERNAME);
  const nsid = cell.locator('span', { hasText: LAYOUT_NSID });
  const glyphs = () =>
    nsid.evaluate((span) => {
      const text = span.firstChild!;
      const range = document.createRange();
      const at = (i: number) => {
        range.setStart(text, i);
        range.setEnd(text, i + 1);
        return range.getBoundingClientRect().left;
      };
      return [...text.textContent!].map((_, i) => at(i));
    });
  const ltr = (xs: number[]) => xs.every((x, i) => i === 0 || x > xs[i - 1]);
  // Left to right: each character of the NSID further right than the one before.
  expect(ltr(await glyphs())).toBe(true);
  // The same line without the isolation reverses the NSID: the check above can fail.
  await cell.locator('bdi').evaluate((bdi) => bdi.replaceWith(document.createTextNode(bdi.textContent!)));
  expect(ltr(await glyphs())).toBe(false);
});
