// The dashboard's maintained summary, the export and spot-check sampling agree with a full evaluation of the inclusion
// rule after every kind of write: check results (new, re-check, deleted), overrides (single, a bulk batch and its
// undo), decisions, photo changes and deletions, account watermark verdicts. The summary is refreshed incrementally,
// never rebuilt; sampling reads the failures the triggers keep in photo_flags, by ranges of its sampling order.
import { beforeAll, describe, expect, it } from 'vitest';
import { db, Prisma } from '../../../lib/db.ts';
import { includedPhotoIdsSql, photoReasonsSql } from '../../../lib/inclusion.ts';
import { fullReasonCounts, getDatasetCounts } from '../../../lib/queries/dashboard.ts';
import { decideAccount } from '../../../lib/queries/decisions.ts';
import { bulkOverride, undoOverrideBatch } from '../../../lib/queries/overrideBatches.ts';
import { listCheckPhotos, overridePhotos } from '../../../lib/queries/overrides.ts';
import { photoInclusion } from '../../../lib/queries/photos.ts';
import { drawSample } from '../../../lib/queries/spotChecks.ts';
import { refreshBeforeRead, summaryFreshness } from '../../../lib/queries/inclusionSummary.ts';
import { pollFor } from '../../helpers/pollFor.ts';
import { openSnapshot } from '../../../pipeline/export/source.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { seedInclusionStates } from '../../pipeline/export/seedPhotos.ts';

useTestDatabase();
const LICENSES = [7, 8, 9, 10];
let userId: string;
let builtAt: Date;

async function builtAtNow(): Promise<Date> {
  const [r] = await db().$queryRaw<
    { built_at: Date }[]
  >`SELECT built_at FROM quarry_internal.inclusion_summary_state`;
  return r.built_at;
}

/**
 * Asserts the dashboard, the export and spot-check sampling agree with the rule evaluated in full; returns the
 * included count.
 */
async function agree(): Promise<number> {
  const dash = await getDatasetCounts(LICENSES);
  const full = await fullReasonCounts(LICENSES);
  const fullOf = (reason: string | null) => full.find((r) => r.reason === reason)?.count ?? 0;
  expect(dash.freshness.pendingAccounts).toBe(0);
  expect(dash.photos).toBe(fullOf('__all__'));
  expect(dash.included).toBe(fullOf(null));
  expect(Object.fromEntries(dash.reasons.map((r) => [r.reason, r.count]))).toEqual(
    Object.fromEntries(
      full.filter((r) => r.reason !== null && r.reason !== '__all__').map((r) => [r.reason, r.count]),
    ),
  );
  const ids = (await db().$queryRaw<{ photo_id: string }[]>(includedPhotoIdsSql(LICENSES)))
    .map((r) => r.photo_id)
    .sort();
  // Photos by id (the drawer, a spot-check's known answers) get the reasons the full evaluation gives them.
  const reasons = await db().$queryRaw<{ photo_id: string; reasons: string[] }[]>(
    Prisma.sql`SELECT photo_id, reasons FROM (${photoReasonsSql(LICENSES)}) r`,
  );
  const byId = await photoInclusion(
    reasons.map((r) => r.photo_id),
    LICENSES,
  );
  expect(Object.fromEntries(byId)).toEqual(Object.fromEntries(reasons.map((r) => [r.photo_id, r.reasons])));
  // A sample as large as the population holds every included photo and nothing else, from any seed (wrapping around),
  // its candidates evaluated in one range or in ranges of 3.
  for (const [seed, perQuery] of [
    ['agree-1', undefined],
    ['agree-2', 3],
  ] as const)
    expect((await drawSample('included', seed, 100, LICENSES, perQuery)).sort()).toEqual(ids);
  // A smaller one is the first included photos in the sampling order from where the seed's hash falls.
  const order = await db().$queryRaw<{ id: string }[]>`
    SELECT id FROM photos ORDER BY hashtextextended(id, 0) < hashtextextended('agree-3', 0), hashtextextended(id, 0), id`;
  expect(await drawSample('included', 'agree-3', 2, LICENSES, 1)).toEqual(
    order
      .map((r) => r.id)
      .filter((id) => ids.includes(id))
      .slice(0, 2),
  );
  const snapshot = await openSnapshot(LICENSES);
  try {
    const exported: string[] = [];
    for await (const chunk of snapshot.rows(3)) {
      // Each staging record starts with the photo id (digits, never quoted); a title may carry a quoted newline.
      const found = [...chunk.text.matchAll(/(?:^|\n)(\d+),/g)].map((m) => m[1]);
      expect(found).toHaveLength(chunk.rows);
      exported.push(...found);
    }
    expect(exported.sort()).toEqual(ids);
    const counts = await snapshot.counts();
    expect(counts.included).toBe(dash.included);
    expect(counts.photos).toBe(dash.photos);
  } finally {
    await snapshot.close();
  }
  // Incremental: the summary built once at the start is brought up to date, not rebuilt.
  expect(await builtAtNow()).toEqual(builtAt);
  return dash.included;
}

beforeAll(async () => {
  await seedInclusionStates();
  const u = await db().user.create({
    data: { email: 'summary@t.test', name: 'S', passwordHash: 'x', role: 'admin' },
  });
  userId = u.id;
  await getDatasetCounts(LICENSES);
  builtAt = await builtAtNow();
});

describe('inclusion summary', () => {
  it('starts equal to the full rule (6 of 14 included)', async () => {
    expect(await agree()).toBe(6);
  });

  it('follows check results: a new fail, a re-check to pass, a deleted result', async () => {
    await db().checkResult.create({
      data: { photoId: '1002', check: 'copyright_text', verdict: 'fail', score: 1, version: 'c-1' },
    });
    expect(await agree()).toBe(5);
    await db().checkResult.update({
      where: { photoId_check: { photoId: '1009', check: 'resolution' } },
      data: { verdict: 'pass' },
    });
    expect(await agree()).toBe(6);
    await db().checkResult.delete({ where: { photoId_check: { photoId: '1002', check: 'copyright_text' } } });
    expect(await agree()).toBe(7);
  });

  it('follows a single override', async () => {
    await overridePhotos({
      userId,
      photoIds: ['1014'],
      check: 'clip_nonphoto',
      newVerdict: 'fail',
      requestId: 'sum-1',
    });
    expect(await agree()).toBe(6);
  });

  it('follows a bulk override batch and its undo', async () => {
    await db().checkResult.createMany({
      data: ['1001', '1002', '1003'].map((photoId) => ({
        photoId,
        check: 'border',
        verdict: 'uncertain' as const,
        score: 0.5,
        version: 'b-1',
      })),
    });
    expect(await agree()).toBe(6);
    const filter = { verdict: 'uncertain' as const };
    const { total } = await listCheckPhotos('border', { ...filter, page: 1, pageSize: 10 });
    const batch = await bulkOverride({
      userId,
      check: 'border',
      filter,
      newVerdict: 'fail',
      expectedCount: total,
      requestId: 'sum-bulk',
    });
    expect(batch.count).toBe(3);
    expect(await agree()).toBe(3);
    await undoOverrideBatch({ userId, batchId: batch.id, requestId: 'sum-bulk-undo' });
    expect(await agree()).toBe(6);
  });

  it('follows an undo after a re-check changed the verdict its batch had replaced', async () => {
    // 1001 (included) is doubted by a check; a batch passes it; a re-check fails it; the batch is undone: nothing of a
    // reviewer stands, so the re-check's fail is in force and 1001 is out (its undo row carries the old doubt).
    await db().checkResult.create({
      data: { photoId: '1001', check: 'exif_copyright', verdict: 'uncertain', score: 0.5, version: 'e-1' },
    });
    const batch = await bulkOverride({
      userId,
      check: 'exif_copyright',
      filter: {},
      newVerdict: 'pass',
      expectedCount: 1,
      requestId: 'sum-recheck',
    });
    expect(await agree()).toBe(6);
    const recheck = (verdict: 'fail' | 'pass') =>
      db().checkResult.update({
        where: { photoId_check: { photoId: '1001', check: 'exif_copyright' } },
        data: { verdict, version: `e-${verdict}` },
      });
    await recheck('fail');
    expect(await agree()).toBe(6);
    await undoOverrideBatch({ userId, batchId: batch.id, requestId: 'sum-recheck-undo' });
    expect(await agree()).toBe(5);
    await recheck('pass');
    expect(await agree()).toBe(6);
  });

  it('follows decisions (read live from the account)', async () => {
    await decideAccount({
      nsid: '3@N03',
      userId,
      decision: 'reject',
      reason: 'other',
      requestId: 'sum-dec',
      expectedStatus: 'approved',
    });
    // 1003 and 1014 (3@N03): 1003 was included, 1014 already failed clip_nonphoto.
    expect(await agree()).toBe(5);
  });

  it('follows photo changes and deletions, and account watermark verdicts', async () => {
    await db().photo.update({ where: { id: '1002' }, data: { license: 4 } });
    expect(await agree()).toBe(4);
    await db().photo.update({ where: { id: '1005' }, data: { availability: 'available' } });
    expect(await agree()).toBe(5);
    await db().photo.delete({ where: { id: '1005' } });
    expect(await agree()).toBe(4);
    await db().photo.delete({ where: { id: '1009' } }); // included since its re-check to pass
    expect(await agree()).toBe(3);
    await db().account.update({ where: { nsid: '1@N01' }, data: { watermarkVerdict: 'fail' } });
    // Under the default policy (account) every photo of 1@N01 is out but 1010, whose watermark a reviewer passed.
    expect(await agree()).toBe(1);
  });

  it('a reader recomputes a bounded part of the noted accounts and leaves the rest to a background refresh', async () => {
    // 1@N01 is small enough to recompute inline; 2@N02 would overfill the step; 3@N03 is larger than a reader takes.
    await db().$executeRaw`UPDATE accounts SET photo_count = CASE nsid WHEN '3@N03' THEN 100 ELSE 10 END`;
    await db()
      .$executeRaw`INSERT INTO quarry_internal.inclusion_dirty (account_nsid) VALUES ('1@N01'), ('2@N02'), ('3@N03')`;
    const freshness = await refreshBeforeRead({ budgetMs: 0, inlinePhotos: 15 });
    expect(freshness.pendingAccounts).toBe(2);
    // The background refresh it started counts the rest.
    await pollFor(
      'the background refresh',
      async () => (await summaryFreshness()).pendingAccounts === 0,
      30_000,
    );
    expect(await agree()).toBe(1);
  });

  it('rebuilds whole after a TRUNCATE forgot it', async () => {
    await db().$executeRaw(
      Prisma.sql`TRUNCATE spot_check_items, overrides, override_batches, photo_flags CASCADE`,
    );
    const [state] = await db().$queryRaw<
      { n: number }[]
    >`SELECT count(*)::int AS n FROM quarry_internal.inclusion_summary_state`;
    expect(state.n).toBe(0);
    const dash = await getDatasetCounts(LICENSES);
    const full = await fullReasonCounts(LICENSES);
    expect(dash.included).toBe(full.find((r) => r.reason === null)?.count);
  });
});
