// A similar-photo index build that waits is visible where users look: the Runs page and the account page's "Similar
// photos in other accounts" say since when it waits and whether any worker takes jobs (the wording for no worker at
// all is held by test/pipeline/runs/finishWait.test.ts: this server runs its worker child).
import { expect, test } from '@playwright/test';
import { PgBoss } from 'pg-boss';
import type { AnnBuildData } from '../../pipeline/runs/annBuild.ts';
import { ANN_BUILD_QUEUE, ANN_BUILD_QUEUE_OPTIONS } from '../../pipeline/runs/queues.ts';
import { e2eState, signIn } from './fixtures';
import { LAYOUT_NSID } from './seedReview';

let boss: PgBoss;
let jobId: string | null = null;
const WAITING = /index build queued 1\dm\d\ds ago, (no worker is taking jobs|workers are connected)/;

test.beforeAll(async () => {
  boss = new PgBoss({ connectionString: e2eState().databaseUrl, schedule: false, supervise: false, max: 2 });
  boss.on('error', () => {});
  await boss.start();
  await boss.createQueue(ANN_BUILD_QUEUE, ANN_BUILD_QUEUE_OPTIONS);
  // Due tomorrow, so the server's worker leaves it waiting; asked for 12 minutes ago.
  jobId = await boss.send(
    ANN_BUILD_QUEUE,
    { modelKey: 'e2e@none', dataDir: '/nonexistent/e2e' } satisfies AnnBuildData,
    { startAfter: 86_400, singletonKey: '/nonexistent/e2e' },
  );
  await boss
    .getDb()
    .executeSql(`UPDATE pgboss.job SET created_on = now() - interval '12 minutes' WHERE id = $1`, [jobId]);
});

test.afterAll(async () => {
  if (jobId) await boss.deleteJob(ANN_BUILD_QUEUE, jobId);
  await boss.stop({ graceful: false });
});

for (const width of [1280, 1440, 1920]) {
  test(`the Runs page and the account page say a build waits, at ${width} px`, async ({ page }) => {
    await page.setViewportSize({ width, height: 1000 });
    await signIn(page, 'admin');
    await page.goto('/runs');
    const notice = page.getByRole('status').filter({ hasText: 'Similar-photo index:' });
    await expect(notice).toHaveText(WAITING);
    if (process.env.QUARRY_SCREENSHOTS === '1')
      await page.screenshot({ path: `test-results/screenshots/index-build-runs-${width}.png` });
    await page.goto(`/accounts/${encodeURIComponent(LAYOUT_NSID)}?order=rank`);
    const section = page.getByRole('region', { name: 'Similar photos in other accounts' });
    await expect(section.getByRole('status').filter({ hasText: 'Similar-photo index:' })).toHaveText(WAITING);
    if (process.env.QUARRY_SCREENSHOTS === '1') {
      await section.scrollIntoViewIfNeeded();
      await page.screenshot({ path: `test-results/screenshots/index-build-account-${width}.png` });
    }
  });
}
