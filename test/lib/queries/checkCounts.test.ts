// The check pages' and the checks overview's maintained counts agree with a full count of the tables after every kind
// of write: check results (new, re-check, deleted), overrides (single, a bulk batch, its undo and what stands after it),
// decisions, photo changes (licence, account, fetch state) and deletions, and TRUNCATE. With the triggers off, they do
// not.
import pg from 'pg';
import { beforeAll, describe, expect, it } from 'vitest';
import { CHECK_NAMES, type CheckName } from '../../../lib/checks.ts';
import { db, Prisma } from '../../../lib/db.ts';
import { saveCheckResults } from '../../../lib/queries/analysis.ts';
import { foldAccountCheckCounts } from '../../../lib/queries/checkCounts.ts';
import { decideAccount } from '../../../lib/queries/decisions.ts';
import { bulkOverride, undoOverrideBatch } from '../../../lib/queries/overrideBatches.ts';
import {
  type CheckPhotoCriteria,
  checkPhotosFromSql,
  listCheckPhotos,
  listCheckSummaries,
  overridePhotos,
} from '../../../lib/queries/overrides.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { seedInclusionStates } from '../../pipeline/export/seedPhotos.ts';

const database = useTestDatabase();
let userId: string;

const FILTERS: CheckPhotoCriteria[] = [
  {},
  { verdict: 'fail' },
  { verdict: 'uncertain' },
  { status: 'open' },
  { status: 'overridden' },
  { verdict: 'fail', status: 'overridden' },
  { license: 9 },
  { license: 4, status: 'open' },
  { account: '1@N01' },
  { account: '3@N03', verdict: 'uncertain', status: 'open' },
  { minScore: 0.5 },
  // Combined filters the maintained counts do not tell (counted from the page's own sources).
  { minScore: 0.1, maxScore: 0.7 },
  { minScore: 0.5, status: 'overridden' },
  { account: '1@N01', license: 9 },
  { account: '3@N03', minScore: 0.3, verdict: 'fail' },
  { license: 9, maxScore: 0.95, status: 'open' },
  { minScore: 0.6, maxScore: 0.6 },
  { license: 9, minScore: 0.2 },
  { maxScore: 0 },
  { minScore: 150 },
  // Bounds cutting a bucket near one end: the page counts the bucket's narrow side left out and subtracts it from the
  // bucket's maintained count (edgeCount), on a bucket's edge too (0.9: bucket 90 whole).
  { minScore: 0.9 },
  { minScore: 0.403 },
  { maxScore: 0.418 },
  { minScore: 0.77, maxScore: 0.99 },
  { license: 9, minScore: 0.9, status: 'open' },
];

/**
 * Every check page's total and its first two pages of 2, for every filter above, against the page's own filter over the
 * tables (whichever source the page was picked from: the check's index, its overrides or the account's photos).
 */
async function pageTotalsAgree(): Promise<void> {
  const got: Record<string, unknown> = {};
  const want: Record<string, unknown> = {};
  for (const check of CHECK_NAMES)
    for (const f of FILTERS) {
      const key = `${check} ${JSON.stringify(f)}`;
      const pages = [1, 2].map((page) => listCheckPhotos(check as CheckName, { ...f, page, pageSize: 2 }));
      const [p1, p2] = await Promise.all(pages);
      got[key] = { total: p1.total, ids: [...p1.data, ...p2.data].map((p) => p.photoId) };
      const rows = await db().$queryRaw<{ photo_id: string }[]>(
        Prisma.sql`SELECT cr.photo_id ${checkPhotosFromSql(check as CheckName, f)} ORDER BY cr.score DESC NULLS FIRST, cr.photo_id`,
      );
      want[key] = { total: rows.length, ids: rows.slice(0, 4).map((r) => r.photo_id) };
    }
  expect(got).toEqual(want);
}

/** The overview as counted over the whole tables (what listCheckSummaries read before the counts were maintained). */
async function fullSummaries(min: number) {
  const verdicts = await db().$queryRaw<{ check: string; verdict: string; n: number }[]>`
    SELECT "check", verdict::text AS verdict, count(*)::int AS n FROM check_results GROUP BY 1, 2`;
  const over = await db().$queryRaw<{ check: string; n: number }[]>`
    SELECT o."check", count(DISTINCT o.photo_id)::int AS n
    FROM overrides o LEFT JOIN override_batches b ON b.id = o.batch_id
    WHERE o.photo_id IS NOT NULL AND b.undoes_id IS NULL
      AND EXISTS (SELECT 1 FROM check_results cr WHERE cr.photo_id = o.photo_id AND cr."check" = o."check")
      AND NOT EXISTS (
        SELECT 1 FROM override_batches ub JOIN overrides u ON u.batch_id = ub.id
        WHERE ub.undoes_id = o.batch_id AND u.photo_id = o.photo_id AND u."check" = o."check")
    GROUP BY o."check"`;
  const [e] = await db().$queryRaw<
    { all_n: number; fetched: number; dedupable: number; unchecked: number }[]
  >`
    WITH per_account AS (
      SELECT owner_nsid, count(*) AS all_n,
        count(*) FILTER (WHERE content_hash IS NOT NULL AND availability = 'available') AS fetched,
        count(*) FILTER (WHERE (availability = 'available' AND phash IS NOT NULL) OR availability = 'error') AS dedupable
      FROM photos GROUP BY owner_nsid)
    SELECT COALESCE(sum(all_n), 0)::int AS all_n, COALESCE(sum(fetched), 0)::int AS fetched,
      COALESCE(sum(dedupable), 0)::int AS dedupable,
      COALESCE(sum(fetched) FILTER (WHERE fetched >= ${min} AND NOT EXISTS (
        SELECT 1 FROM account_check_results r WHERE r.account_nsid = per_account.owner_nsid AND r."check" = 'watermark')), 0)::int AS unchecked
    FROM per_account`;
  const get = (check: string, v?: string) =>
    verdicts.filter((r) => r.check === check && (!v || r.verdict === v)).reduce((n, r) => n + r.n, 0);
  return CHECK_NAMES.map((check) => ({
    check,
    fail: get(check, 'fail'),
    uncertain: get(check, 'uncertain'),
    error: get(check, 'error'),
    overridden: over.find((o) => o.check === check)?.n ?? 0,
    notScored: ['watermark', 'border'].includes(check)
      ? e.unchecked
      : Math.max(
          0,
          (check.startsWith('clip_') ? e.fetched : check === 'duplicate' ? e.dedupable : e.all_n) -
            get(check),
        ),
  }));
}

/**
 * The flags and overridden results whose licence is not their photo's (the check pages' licence filter reads theirs:
 * migration 20261206180000_flag_license); none when the triggers keep it.
 */
async function staleLicences(): Promise<string[]> {
  const rows = await db().$queryRaw<{ row: string }[]>`
    SELECT 'flag ' || f.photo_id || ' ' || f."check" AS row FROM photo_flags f JOIN photos p ON p.id = f.photo_id
    WHERE f.license <> p.license
    UNION ALL SELECT 'overridden ' || r.photo_id || ' ' || r."check" FROM quarry_internal.overridden_results r
    JOIN photos p ON p.id = r.photo_id WHERE r.license <> p.license`;
  return rows.map((r) => r.row);
}

async function agree(): Promise<void> {
  expect(await staleLicences()).toEqual([]);
  await pageTotalsAgree();
  expect(await listCheckSummaries({ watermarkMinPhotos: 2 })).toEqual(await fullSummaries(2));
}

beforeAll(async () => {
  await seedInclusionStates();
  userId = (
    await db().user.create({ data: { email: 'counts@t.test', name: 'C', passwordHash: 'x', role: 'admin' } })
  ).id;
});

describe('maintained check counts', () => {
  it('start equal to a full count (counted by the migration, then kept by the triggers)', async () => {
    await agree();
    expect((await listCheckPhotos('clip_nonphoto', { page: 1, pageSize: 10 })).total).toBe(1);
  });

  it('follow check results: new ones, a re-check, a deleted one', async () => {
    await db().checkResult.createMany({
      data: ['1001', '1002', '1003', '1008', '1014'].map((photoId, i) => ({
        photoId,
        check: 'border',
        verdict: i % 2 ? ('uncertain' as const) : ('fail' as const),
        score: 0.2 * i,
        version: 'b-1',
      })),
    });
    await agree();
    await db().checkResult.update({
      where: { photoId_check: { photoId: '1009', check: 'resolution' } },
      data: { verdict: 'pass' },
    });
    await db().checkResult.updateMany({
      where: { check: 'border', verdict: 'fail' },
      data: { verdict: 'error' },
    });
    await agree();
    await db().checkResult.delete({ where: { photoId_check: { photoId: '1003', check: 'border' } } });
    await agree();
  });

  it('follow a single override, a second one of the same photo, a bulk batch and its undo', async () => {
    await overridePhotos({
      userId,
      photoIds: ['1014'],
      check: 'clip_nonphoto',
      newVerdict: 'fail',
      requestId: 'c-1',
    });
    await agree();
    await overridePhotos({
      userId,
      photoIds: ['1014'],
      check: 'clip_nonphoto',
      newVerdict: 'pass',
      requestId: 'c-2',
    });
    await agree();
    const filter = { verdict: 'uncertain' as const };
    const { total } = await listCheckPhotos('border', { ...filter, page: 1, pageSize: 10 });
    expect(total).toBe(2);
    const batch = await bulkOverride({
      userId,
      check: 'border',
      filter,
      newVerdict: 'pass',
      expectedCount: total,
      requestId: 'c-bulk',
    });
    expect((await listCheckSummaries()).find((s) => s.check === 'border')?.overridden).toBe(2);
    await agree();
    await undoOverrideBatch({ userId, batchId: batch.id, requestId: 'c-undo' });
    // Undone: no override of them stands any more, though they have overrides (the check page's "overridden" filter).
    expect((await listCheckSummaries()).find((s) => s.check === 'border')?.overridden).toBe(0);
    expect((await listCheckPhotos('border', { status: 'overridden', page: 1, pageSize: 10 })).total).toBe(0);
    expect(
      (await listCheckPhotos('border', { status: 'open', ...filter, page: 1, pageSize: 10 })).total,
    ).toBe(2);
    await agree();
  });

  it('follow an undo that leaves an earlier override standing, and one skipping photos changed since', async () => {
    // Three fails of the EXIF copyright check, one overridden by hand; a batch over all three, then an undo: the hand-made
    // override stands again (the undo put its verdict back), the other two photos are open.
    await db().checkResult.createMany({
      data: ['1002', '1004', '1008'].map((photoId, i) => ({
        photoId,
        check: 'exif_copyright',
        verdict: 'fail' as const,
        score: i / 10,
        version: 'x-1',
      })),
    });
    const filter = { verdict: 'fail' as const };
    const ids = ['1008', '1004', '1002'];
    await agree();
    await overridePhotos({
      userId,
      photoIds: [ids[0]!],
      check: 'exif_copyright',
      newVerdict: 'pass',
      requestId: 'u-hand',
    });
    await agree();
    const bulk = (newVerdict: 'pass' | 'fail', requestId: string) =>
      bulkOverride({
        userId,
        check: 'exif_copyright',
        filter,
        newVerdict,
        expectedCount: ids.length,
        requestId,
      });
    const reviewed = async () =>
      (await listCheckPhotos('exif_copyright', { status: 'overridden', page: 1, pageSize: 10 })).data
        .map((p) => p.photoId)
        .sort();
    const a = await bulk('fail', 'u-a');
    await agree();
    await undoOverrideBatch({ userId, batchId: a.id, requestId: 'u-a-undo' });
    expect(await reviewed()).toEqual([ids[0]]);
    await agree();

    // A batch whose undo skipped every photo (a later batch changed them all) stands again once that later one is
    // undone: the standing state turns back on, not only off.
    const b = await bulk('pass', 'u-b');
    const c = await bulk('fail', 'u-c');
    expect((await undoOverrideBatch({ userId, batchId: b.id, requestId: 'u-b-undo' })).count).toBe(0);
    await agree();
    await undoOverrideBatch({ userId, batchId: c.id, requestId: 'u-c-undo' });
    expect(await reviewed()).toEqual([...ids].sort());
    await agree();
    // Undo batches are not undone themselves (the product refuses), so there is no undo of an undo to follow.
    await expect(undoOverrideBatch({ userId, batchId: c.id, requestId: 'u-c-undo-2' })).rejects.toThrow(
      /already undone/,
    );
  });

  it('follow one statement over keys in every standing state (the trigger decides them together)', async () => {
    // One bulk INSERT holds a key with an undone batch (nothing stands: on), one with a standing hand override (stays
    // on), and keys without overrides (on); its undo then turns all off but the hand override's.
    const check = 'copyright_text';
    const result = (photoId: string) => ({
      photoId,
      check,
      verdict: 'fail' as const,
      score: 0.4,
      version: 't-1',
    });
    const reviewed = async () =>
      (await listCheckPhotos(check, { status: 'overridden', page: 1, pageSize: 10 })).data
        .map((p) => p.photoId)
        .sort();
    const bulk = (expectedCount: number, requestId: string) =>
      bulkOverride({ userId, check, filter: {}, newVerdict: 'pass', expectedCount, requestId });
    await db().checkResult.create({ data: result('1004') });
    const x = await bulk(1, 'm-x');
    await undoOverrideBatch({ userId, batchId: x.id, requestId: 'm-x-undo' });
    await db().checkResult.createMany({ data: ['1002', '1008', '1014'].map(result) });
    await overridePhotos({ userId, photoIds: ['1002'], check, newVerdict: 'pass', requestId: 'm-hand' });
    expect(await reviewed()).toEqual(['1002']);
    await agree();
    const y = await bulk(4, 'm-y');
    expect(await reviewed()).toEqual(['1002', '1004', '1008', '1014']);
    await agree();
    await undoOverrideBatch({ userId, batchId: y.id, requestId: 'm-y-undo' });
    expect(await reviewed()).toEqual(['1002']);
    await agree();
  });

  it('follow a re-check of a result whose batch was undone', async () => {
    const [row] = await db().$queryRaw<{ photo_id: string }[]>`
      SELECT u.photo_id FROM overrides u JOIN override_batches ub ON ub.id = u.batch_id
      WHERE ub.undoes_id IS NOT NULL AND u."check" = 'border' LIMIT 1`;
    await db().checkResult.update({
      where: { photoId_check: { photoId: row!.photo_id, check: 'border' } },
      data: { score: 0.99 },
    });
    await agree();
  });

  it('follow a re-check between a batch and its undo: the re-check’s verdict is in force after the undo', async () => {
    const check = 'clip_nonwholesome';
    await db().checkResult.createMany({
      data: ['1002', '1014'].map((photoId) => ({
        photoId,
        check,
        verdict: 'fail' as const,
        score: 0.8,
        version: 'w-1',
      })),
    });
    const batch = await bulkOverride({
      userId,
      check,
      filter: {},
      newVerdict: 'pass',
      expectedCount: 2,
      requestId: 'rc-batch',
    });
    await db().checkResult.update({
      where: { photoId_check: { photoId: '1002', check } },
      data: { verdict: 'uncertain', score: 0.4 },
    });
    await agree();
    await undoOverrideBatch({ userId, batchId: batch.id, requestId: 'rc-undo' });
    await agree();
    const page = await listCheckPhotos(check, { page: 1, pageSize: 10 });
    expect(page.data.map((p) => [p.photoId, p.verdict, p.effective, p.override])).toEqual([
      ['1014', 'fail', 'fail', null],
      ['1002', 'uncertain', 'uncertain', null],
    ]);
  });

  it('follow the checks stage’s batches (saveCheckResults) over keys in every standing state, new and re-checked in one statement', async () => {
    // The result triggers read the standing rule over the batch's own keys' overrides (20261206231000): a batch mixes
    // a key with a standing hand override and no result yet (1013's seeded one), a hand-overridden result, an undone
    // batch's results, a standing batch's result, and keys without overrides, new ones among them.
    const check = 'duplicate';
    const save = (rows: [string, 'pass' | 'fail' | 'uncertain', number][], version: string) =>
      saveCheckResults(
        rows.map(([photoId, verdict, score]) => ({ photoId, check, verdict, score, details: {}, version })),
        null,
      );
    const reviewed = async () =>
      (await listCheckPhotos(check, { status: 'overridden', page: 1, pageSize: 10 })).data
        .map((p) => p.photoId)
        .sort();
    await save(
      [
        ['1013', 'fail', 0.9],
        ['1002', 'fail', 0.8],
        ['1003', 'fail', 0.7],
        ['1004', 'fail', 0.6],
        ['1008', 'fail', 0.5],
      ],
      'd-1',
    );
    expect(await reviewed()).toEqual(['1013']);
    await agree();
    await overridePhotos({ userId, photoIds: ['1002'], check, newVerdict: 'pass', requestId: 'sc-hand' });
    const open = { verdict: 'fail' as const, status: 'open' as const };
    const undone = await bulkOverride({
      userId,
      check,
      filter: open,
      newVerdict: 'pass',
      expectedCount: 3,
      requestId: 'sc-bulk',
    });
    await undoOverrideBatch({ userId, batchId: undone.id, requestId: 'sc-undo' });
    await bulkOverride({
      userId,
      check,
      filter: { ...open, maxScore: 0.55 },
      newVerdict: 'fail',
      expectedCount: 1,
      requestId: 'sc-standing',
    });
    expect(await reviewed()).toEqual(['1002', '1008', '1013']);
    await agree();
    // One statement: every score and most verdicts moved, and a new key (1014) inserted beside the re-checked ones.
    await save(
      [
        ['1013', 'uncertain', 0.1],
        ['1002', 'uncertain', 0.45],
        ['1003', 'pass', 0.2],
        ['1004', 'uncertain', 0.35],
        ['1008', 'uncertain', 0.15],
        ['1014', 'fail', 0.95],
      ],
      'd-2',
    );
    expect(await reviewed()).toEqual(['1002', '1008', '1013']);
    await agree();
    // The undone batch's photos take the re-check's verdicts (1003 passes: off the page); the standing overrides keep
    // theirs.
    const page = await listCheckPhotos(check, { page: 1, pageSize: 10 });
    expect(
      Object.fromEntries(page.data.map((p) => [p.photoId, [p.verdict, p.effective, p.override !== null]])),
    ).toEqual({
      '1014': ['fail', 'fail', false],
      '1002': ['uncertain', 'pass', true],
      '1004': ['uncertain', 'uncertain', false],
      '1008': ['uncertain', 'fail', true],
      '1013': ['uncertain', 'pass', true],
    });
    await save(
      ['1013', '1002', '1003', '1004', '1008', '1014'].map((id, i) => [id, 'fail', i / 10]),
      'd-3',
    );
    expect(await reviewed()).toEqual(['1002', '1008', '1013']);
    await agree();
  });

  it('fold every account’s deltas into one row per group, keeping a write that commits during the fold', async () => {
    const rows = async () =>
      (
        await db().$queryRaw<{ rows: number; deltas: number; groups: number }[]>`
        SELECT count(*)::int AS rows, (count(*) FILTER (WHERE NOT base))::int AS deltas,
          (SELECT count(*) FROM (SELECT DISTINCT account_nsid, license, "check", verdict, overridden
             FROM quarry_internal.account_check_counts) g)::int AS groups
        FROM quarry_internal.account_check_counts`
      )[0]!;
    await db().checkResult.create({
      data: { photoId: '1014', check: 'resolution', verdict: 'fail', score: 0.3, version: 'f-1' },
    });
    const before = await rows();
    expect(before.deltas).toBeGreaterThan(0);
    expect(before.rows).toBeGreaterThan(before.groups);
    // Below its threshold it leaves them.
    expect(await foldAccountCheckCounts(before.deltas + 1)).toBe(0);
    expect((await rows()).deltas).toBe(before.deltas);
    // An override of 1014's new result, written by another session and still uncommitted while the fold runs: its
    // deltas are invisible to the fold, which must neither delete nor count them.
    const writer = new pg.Client({ connectionString: database.url() });
    await writer.connect();
    try {
      await writer.query('BEGIN');
      await writer.query(
        `INSERT INTO overrides (user_id, photo_id, "check", old_verdict, new_verdict) VALUES ($1, '1014', 'resolution', 'fail', 'pass')`,
        [userId],
      );
      expect(await foldAccountCheckCounts(1)).toBe(before.deltas);
      await writer.query('COMMIT');
    } finally {
      await writer.end();
    }
    const after = await rows();
    // One row per group but for the writer's own deltas: 1014 leaves "open" (a second row of that group) and enters
    // "overridden" (a group of its own).
    expect(after.deltas).toBe(2);
    expect(after.rows).toBe(after.groups + 1);
    await agree();
    expect(await foldAccountCheckCounts(1)).toBe(2);
    const last = await rows();
    expect([last.deltas, last.rows]).toEqual([0, last.groups]);
    await agree();
  });

  it('are untouched by decisions', async () => {
    await decideAccount({
      nsid: '3@N03',
      userId,
      decision: 'reject',
      reason: 'other',
      requestId: 'c-dec',
      expectedStatus: 'approved',
    });
    await agree();
  });

  it('follow photo changes (licence, account, fetch state) and deletions', async () => {
    await db().photo.update({ where: { id: '1002' }, data: { license: 4 } });
    await db().photo.update({ where: { id: '1008' }, data: { ownerNsid: '3@N03' } });
    await db().photo.updateMany({
      where: { id: { in: ['1001', '1002', '1003', '1009', '1014'] } },
      data: { contentHash: 'h', phash: 7n },
    });
    await agree();
    await db().photo.update({ where: { id: '1003' }, data: { availability: 'error' } });
    await db().photo.delete({ where: { id: '1001' } }); // with its results (1002 has overrides: never deleted)
    await db().photo.delete({ where: { id: '1009' } });
    await agree();
  });

  it('keep a flag’s licence its photo’s through a licence change, an override, a change while overridden, the undo and a re-check', async () => {
    await db().photo.create({
      data: { id: '3001', ownerNsid: '1@N01', secret: 's', server: '1', license: 9, dateUpload: new Date() },
    });
    await db().checkResult.create({
      data: { photoId: '3001', check: 'border', verdict: 'fail', score: 0.77, version: 'l-1' },
    });
    const listed = async (license: number, status?: 'open' | 'overridden') =>
      (await listCheckPhotos('border', { license, status, page: 1, pageSize: 100 })).data.some(
        (p) => p.photoId === '3001',
      );
    expect(await listed(9, 'open')).toBe(true);
    await db().photo.update({ where: { id: '3001' }, data: { license: 5 } });
    expect([await listed(9), await listed(5, 'open')]).toEqual([false, true]);
    await agree();
    const { total } = await listCheckPhotos('border', { license: 5, page: 1, pageSize: 1 });
    const batch = await bulkOverride({
      userId,
      check: 'border',
      filter: { license: 5 },
      newVerdict: 'fail',
      expectedCount: total,
      requestId: 'l-bulk',
    });
    expect([await listed(5, 'open'), await listed(5, 'overridden')]).toEqual([false, true]);
    await agree();
    await db().photo.update({ where: { id: '3001' }, data: { license: 6 } });
    expect([await listed(5), await listed(6, 'overridden')]).toEqual([false, true]);
    await agree();
    await undoOverrideBatch({ userId, batchId: batch.id, requestId: 'l-undo' });
    expect([await listed(6, 'overridden'), await listed(6, 'open')]).toEqual([false, true]);
    await agree();
    await db().checkResult.update({
      where: { photoId_check: { photoId: '3001', check: 'border' } },
      data: { verdict: 'uncertain', score: 0.41 },
    });
    expect([await listed(5), await listed(6, 'open')]).toEqual([false, true]);
    await agree();
  });

  it('leave a flag’s licence stale when its trigger is off (the licence comparison can fail)', async () => {
    await db().$executeRaw`ALTER TABLE photos DISABLE TRIGGER photos_flags_license_changed`;
    try {
      await db().photo.update({ where: { id: '3001' }, data: { license: 7 } });
      expect(await staleLicences()).toEqual(['flag 3001 border']);
    } finally {
      await db().$executeRaw`ALTER TABLE photos ENABLE TRIGGER photos_flags_license_changed`;
    }
    await db().photo.update({ where: { id: '3001' }, data: { license: 6 } });
    await agree();
  });

  it('give a watermark page’s rows their account’s watermark box, and other checks’ rows none', async () => {
    await db()
      .$executeRaw`UPDATE accounts SET watermark_summary = '{"box": [0.1, 0.2, 0.3, 0.4]}'::jsonb WHERE nsid = '1@N01'`;
    await db().checkResult.create({
      data: { photoId: '3001', check: 'watermark', verdict: 'fail', score: 0.9, version: 'w-1' },
    });
    const box = async (check: CheckName) =>
      (await listCheckPhotos(check, { account: '1@N01', page: 1, pageSize: 100 })).data.find(
        (p) => p.photoId === '3001',
      )?.accountWatermarkBox;
    expect(await box('watermark')).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(await box('border')).toBeNull();
    await agree();
  });

  it('follow a TRUNCATE (a restore) and the writes after it', async () => {
    // A restore empties the tables and copies the results back (their triggers rebuild photo_flags).
    const results = await db().checkResult.findMany();
    await db()
      .$executeRaw`TRUNCATE spot_check_items, overrides, override_batches, photo_flags, check_results CASCADE`;
    await agree();
    await db().checkResult.createMany({
      data: results.map((r) => ({ ...r, details: r.details ?? {} })),
    });
    await agree();
    await db().$executeRaw`TRUNCATE photos CASCADE`;
    await agree();
    await db().photo.create({
      data: { id: '2001', ownerNsid: '1@N01', secret: 's', server: '1', license: 9, dateUpload: new Date() },
    });
    await db().checkResult.create({
      data: { photoId: '2001', check: 'clip_nonphoto', verdict: 'fail', score: 0.9, version: 'c-1' },
    });
    await agree();
  });

  it('say Reviewed after an undo written with the override trigger off (the comparison can fail)', async () => {
    const { total } = await listCheckPhotos('clip_nonphoto', { status: 'open', page: 1, pageSize: 10 });
    expect(total).toBeGreaterThan(0);
    const batch = await bulkOverride({
      userId,
      check: 'clip_nonphoto',
      filter: { status: 'open' },
      newVerdict: 'pass',
      expectedCount: total,
      requestId: 'off-bulk',
    });
    await agree();
    // The undo's rows as undoOverrideBatch writes them, with the trigger off, in a transaction rolled back afterwards so
    // the tests after this one start from agreeing tables.
    type Seen = { listed: number; counted: number; standing: number };
    const seenSql = Prisma.sql`
      SELECT (SELECT count(*) FROM quarry_internal.overridden_results WHERE "check" = 'clip_nonphoto')::int AS listed,
        (SELECT COALESCE(sum(n), 0) FROM quarry_internal.check_counts WHERE "check" = 'clip_nonphoto' AND overridden)::int
          AS counted,
        (SELECT count(*) FROM check_results cr WHERE cr."check" = 'clip_nonphoto' AND EXISTS (
          SELECT 1 FROM standing_overrides o WHERE o.photo_id = cr.photo_id AND o."check" = cr."check"))::int AS standing`;
    const maintained = () => db().$queryRaw<Seen[]>(seenSql);
    const undoWith = async (trigger: 'ENABLE' | 'DISABLE') => {
      let seen: Seen | undefined;
      await db()
        .$transaction(async (tx) => {
          await tx.$executeRawUnsafe(`ALTER TABLE overrides ${trigger} TRIGGER overrides_inserted`);
          await tx.$executeRaw`INSERT INTO override_batches (id, user_id, "check", filter, count, undoes_id)
            VALUES ('off-undo', ${userId}, 'clip_nonphoto', '{}'::jsonb, ${total}, ${batch.id})`;
          await tx.$executeRaw`INSERT INTO overrides (user_id, photo_id, "check", old_verdict, new_verdict, batch_id)
            SELECT user_id, photo_id, "check", new_verdict, old_verdict, 'off-undo' FROM overrides WHERE batch_id = ${batch.id}`;
          [seen] = await tx.$queryRaw<Seen[]>(seenSql);
          throw new Error('rollback');
        })
        .catch((e: Error) => {
          if (e.message !== 'rollback') throw e;
        });
      return seen!;
    };
    const before = (await maintained())[0]!;
    expect(before.listed).toBe(before.standing);
    const on = await undoWith('ENABLE');
    expect(on).toEqual({ listed: on.standing, counted: on.standing, standing: before.standing - total });
    const off = await undoWith('DISABLE');
    expect(off.standing).toBe(before.standing - total);
    expect([off.listed, off.counted]).toEqual([before.listed, before.listed]);
    expect(await maintained()).toEqual([before]);
    await undoOverrideBatch({ userId, batchId: batch.id, requestId: 'off-undo-real' });
    await agree();
  });

  it('disagree with a full count when their triggers are off (the comparison above can fail)', async () => {
    await db().$executeRaw`ALTER TABLE check_results DISABLE TRIGGER check_results_check_counts_inserted`;
    try {
      await db().checkResult.create({
        data: { photoId: '2001', check: 'copyright_text', verdict: 'fail', score: 1, version: 'c-1' },
      });
      await expect(pageTotalsAgree()).rejects.toThrow();
    } finally {
      await db().$executeRaw`ALTER TABLE check_results ENABLE TRIGGER check_results_check_counts_inserted`;
    }
  });

  it('lists overridden results wrongly when their trigger is off (the page comparison can fail)', async () => {
    await db().$executeRaw`ALTER TABLE overrides DISABLE TRIGGER overrides_inserted`;
    try {
      await overridePhotos({
        userId,
        photoIds: ['2001'],
        check: 'clip_nonphoto',
        newVerdict: 'pass',
        requestId: 'c-off',
      });
      await expect(pageTotalsAgree()).rejects.toThrow();
    } finally {
      await db().$executeRaw`ALTER TABLE overrides ENABLE TRIGGER overrides_inserted`;
    }
  });
});
