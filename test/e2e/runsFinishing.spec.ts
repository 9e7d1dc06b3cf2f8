// The Runs page while a stage's finishing step runs (the CLIP stage's near-duplicate pass, ~9 minutes on the demo's
// 2,011 photos once the batches are in): the step's phase, counts, rate and ETA, not "active 2,011/2,011 · ETA 0s".
// The run is written as a worker leaves it mid-step (no batches waiting, so no worker touches it) and removed after.
import { expect, test } from '@playwright/test';
import { db, disconnectDb } from '../../lib/db.ts';
import type { StageFinishing } from '../../lib/domain/stageFinishing.ts';
import { e2eState, signIn } from './fixtures';

const RUN = 'e2e-finishing-run';

async function withDb<T>(f: () => Promise<T>): Promise<T> {
  process.env.DATABASE_URL = e2eState().databaseUrl;
  try {
    return await f();
  } finally {
    await disconnectDb();
  }
}

const noteFinishing = (finishing: StageFinishing, note: string) =>
  withDb(() =>
    db().runStage.update({
      where: { runId_stage: { runId: RUN, stage: 'clip' } },
      data: { finishing, lastError: note },
    }),
  );

test.beforeAll(async () => {
  const started = new Date(Date.now() - 15 * 60_000);
  await withDb(async () => {
    await db().pipelineRun.deleteMany({ where: { id: RUN } });
    await db().pipelineRun.create({
      data: {
        id: RUN,
        stages: ['analyze', 'clip'],
        config: { stages: ['analyze', 'clip'] },
        status: 'running',
        startedAt: started,
        stageProgress: {
          create: [
            {
              stage: 'analyze',
              position: 0,
              status: 'done',
              total: 2011,
              done: 2011,
              startedAt: started,
              finishedAt: new Date(Date.now() - 12 * 60_000),
            },
            {
              stage: 'clip',
              position: 1,
              status: 'active',
              total: 2011,
              done: 2011,
              startedAt: new Date(Date.now() - 11 * 60_000),
            },
          ],
        },
      },
    });
  });
});
test.afterAll(async () => {
  await withDb(() => db().pipelineRun.deleteMany({ where: { id: RUN } }));
});

test('the Runs page shows a stage’s finishing step as its own phase: what it does, counts, rate, ETA', async ({
  page,
}) => {
  await signIn(page, 'admin');
  const now = Date.now();
  await noteFinishing(
    {
      phase: 'index-build',
      message: 'index build running for 1m10s',
      notedAt: new Date(now).toISOString(),
    },
    'index build running for 1m10s',
  );
  await page.goto('/runs');
  const run = page.locator(`article[data-run-id="${RUN}"]`);
  const clip = run.getByTestId('stage-clip');
  const step = clip.getByTestId('stage-finishing');
  // The step's box stays inside its stage's row at every common width (screenshots with QUARRY_SCREENSHOTS=1).
  const fitsAtEveryWidth = async (name: string) => {
    for (const width of [1280, 1440, 1920]) {
      await page.setViewportSize({ width, height: 900 });
      const box = (await step.boundingBox())!;
      const row = (await clip.boundingBox())!;
      expect(box.x + box.width).toBeLessThanOrEqual(row.x + row.width + 0.5);
      if (process.env.QUARRY_SCREENSHOTS === '1') {
        await run.scrollIntoViewIfNeeded();
        await page.screenshot({ path: `test-results/screenshots/${name}-${width}.png` });
      }
    }
  };
  await expect(step).toContainText('Finishing step: waiting for the similar-photo index build');
  await expect(step).toContainText('index build running for 1m10s');
  await expect(clip).toContainText('active · finishing');
  await expect(clip).toContainText('2,011/2,011 · batches all done');
  await expect(clip).not.toContainText('ETA 0s');

  // The duplicate step's own pixel checks (the demo's minutes: its test model's embeddings are not searched).
  await noteFinishing(
    {
      phase: 'duplicates',
      step: 'pairs',
      done: 300,
      total: 600,
      startedAt: new Date(now - 60_000).toISOString(),
      notedAt: new Date(now).toISOString(),
    },
    'duplicates: checking near-duplicate candidates on thumbnails: 300/600 pairs · 50.0% · 5.00/s · ETA 1m00s',
  );
  await expect(step).toContainText(
    'Finishing step: grouping duplicates: checking near-duplicate candidates on thumbnails',
  );
  await expect(step).toContainText('300/600 pairs · 5.00/s · ETA 1m00s');
  await expect(clip.getByRole('progressbar', { name: 'CLIP checks finishing progress' })).toHaveAttribute(
    'aria-valuenow',
    '300',
  );

  // The search: 1,200 of 10,000 new photos in 30 s → 40/s, 8,800 left → ETA 3m40s; the page polls, no reload.
  await noteFinishing(
    {
      phase: 'near-duplicates',
      searched: 1200,
      total: 10_000,
      pairs: 35,
      startedAt: new Date(now - 30_000).toISOString(),
      notedAt: new Date(now).toISOString(),
    },
    'near-duplicates: 1,200/10,000 new photos searched · 12.0% · 40/s · ETA 3m40s · 35 new pairs',
  );
  await expect(step).toContainText(
    'Finishing step: comparing new photos in their nearest cells for near-duplicate pairs',
  );
  await expect(step).toContainText('1,200/10,000 new photos searched · 40/s · ETA 3m40s · 35 new pairs');
  const bar = clip.getByRole('progressbar', { name: 'CLIP checks finishing progress' });
  await expect(bar).toHaveAttribute('aria-valuenow', '1200');
  await expect(bar).toHaveAttribute('aria-valuemax', '10000');
  await expect(clip).not.toContainText('ETA 0s');
  // The note is the step's line, not a "Last:" error line beside it.
  await expect(clip.getByText(/^Last:/)).toHaveCount(0);

  await fitsAtEveryWidth('runs-finishing');

  // A first pass compares the photos cell by cell, resumed here at cell 2,000: 1,000 cells in 50 s → 20/s.
  await noteFinishing(
    {
      phase: 'near-duplicates',
      unit: 'cells',
      searched: 3000,
      total: 5000,
      from: 2000,
      pairs: 120,
      startedAt: new Date(now - 50_000).toISOString(),
      notedAt: new Date(now).toISOString(),
    },
    'near-duplicates: 3,000/5,000 cells compared · 60.0% · 20/s · ETA 1m40s · 120 new pairs',
  );
  await expect(step).toContainText(
    'Finishing step: comparing the photos cell by cell for near-duplicate pairs',
  );
  await expect(step).toContainText('3,000/5,000 cells compared · 20/s · ETA 1m40s · 120 new pairs');
  await fitsAtEveryWidth('runs-finishing-cells');
});
