import { beforeEach, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { saveCheckResults, type CheckResultRow } from '../../../lib/queries/analysis.ts';
import { overridePhotos } from '../../../lib/queries/overrides.ts';
import { getAccountReview } from '../../../lib/queries/review.ts';
import { saveWatermarkResult } from '../../../lib/queries/watermarks.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { makeAccounts, makeUser } from './reviewFixtures.ts';

// photo_flags and account_check_totals are kept by triggers; these tests drive the app's own writers and compare the
// tables with a recomputation from check_results and overrides, and the page with the per-result query it replaced.

useTestDatabase();
const CHECKS = ['clip_nonphoto', 'copyright_text', 'duplicate', 'resolution'] as const;
const VERDICTS = ['pass', 'pass', 'pass', 'fail', 'uncertain', 'error'] as const;
let alice = '';
let nsids: string[] = [];

/** Deterministic PRNG (mulberry32), so a failure replays. */
function prng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function randomResults(
  rand: () => number,
  photoIds: string[],
  checks: readonly string[],
  version: string,
): CheckResultRow[] {
  return photoIds.flatMap((photoId) =>
    checks
      .filter(() => rand() < 0.9)
      .map((check) => ({
        photoId,
        check,
        version,
        details: {},
        verdict: VERDICTS[Math.floor(rand() * VERDICTS.length)],
        // One check may leave the score out; the others' distinct scores keep every ordering free of ties.
        score: check === 'resolution' && rand() < 0.5 ? null : rand(),
      })),
  );
}

async function expectSummariesMatchResults(): Promise<void> {
  const totals = await db().$queryRawUnsafe<unknown[]>(`
    SELECT account_nsid AS nsid, "check", total FROM account_check_totals WHERE total <> 0 ORDER BY 1, 2`);
  const expectedTotals = await db().$queryRawUnsafe<unknown[]>(`
    SELECT p.owner_nsid AS nsid, cr."check", count(*)::int AS total FROM check_results cr JOIN photos p ON p.id = cr.photo_id
    GROUP BY 1, 2 ORDER BY 1, 2`);
  expect(totals).toEqual(expectedTotals);
  const flags = await db().$queryRawUnsafe<unknown[]>(`
    SELECT photo_id, "check", owner_nsid, verdict::text, score, overridden FROM photo_flags ORDER BY 1, 2`);
  const expectedFlags = await db().$queryRawUnsafe<unknown[]>(`
    SELECT cr.photo_id, cr."check", p.owner_nsid, COALESCE(lo.new_verdict, cr.verdict)::text AS verdict, cr.score,
      lo.new_verdict IS NOT NULL AS overridden
    FROM check_results cr JOIN photos p ON p.id = cr.photo_id
    LEFT JOIN LATERAL (SELECT new_verdict FROM overrides o WHERE o.photo_id = cr.photo_id AND o."check" = cr."check"
      ORDER BY o.created_at DESC, o.id DESC LIMIT 1) lo ON true
    WHERE COALESCE(lo.new_verdict, cr.verdict) IN ('fail', 'uncertain') ORDER BY 1, 2`);
  expect(flags).toEqual(expectedFlags);
}

/** The page's grid as the former query computed it, from every check result of the account. */
async function referenceGrid(nsid: string, sampleSize: number, flaggedCap: number): Promise<unknown> {
  const [row] = await db().$queryRaw<
    { j: { checks: unknown[] | null; flaggedTotal: number; photos: { flags: unknown[] | null }[] | null } }[]
  >`
    WITH ph AS MATERIALIZED (SELECT id FROM photos WHERE owner_nsid = ${nsid}),
    lo AS (SELECT DISTINCT ON (o.photo_id, o."check") o.photo_id, o."check", o.new_verdict FROM overrides o
      WHERE o.photo_id IN (SELECT id FROM ph) ORDER BY o.photo_id, o."check", o.created_at DESC, o.id DESC),
    eff AS (SELECT cr.photo_id, cr."check", COALESCE(lo.new_verdict, cr.verdict)::text AS v, cr.score, lo.new_verdict IS NOT NULL AS overridden
      FROM check_results cr JOIN ph ON ph.id = cr.photo_id LEFT JOIN lo ON lo.photo_id = cr.photo_id AND lo."check" = cr."check"),
    agg AS (SELECT "check", count(*) AS total, count(*) FILTER (WHERE v = 'fail') AS fail, count(*) FILTER (WHERE v = 'uncertain') AS uncertain
      FROM eff GROUP BY "check"),
    fl AS (SELECT * FROM eff WHERE v IN ('fail', 'uncertain')),
    flagged AS (SELECT photo_id, max(COALESCE(score, 1)) AS s FROM fl GROUP BY photo_id ORDER BY s DESC, photo_id LIMIT ${flaggedCap}),
    sampled AS (SELECT id AS photo_id FROM ph WHERE id NOT IN (SELECT photo_id FROM flagged) ORDER BY md5(id) LIMIT ${sampleSize}),
    chosen AS (SELECT photo_id, true AS flagged, s FROM flagged UNION ALL SELECT photo_id, false, NULL FROM sampled),
    flags AS (SELECT photo_id, json_agg(json_build_object('check', "check", 'verdict', v, 'score', score, 'overridden', overridden)
      ORDER BY COALESCE(score, 1) DESC) AS flags FROM fl WHERE photo_id IN (SELECT photo_id FROM chosen) GROUP BY photo_id)
    SELECT json_build_object(
      'checks', (SELECT json_agg(json_build_object('check', "check", 'total', total, 'fail', fail, 'uncertain', uncertain) ORDER BY "check") FROM agg),
      'flaggedTotal', (SELECT count(DISTINCT photo_id) FROM fl),
      'photos', (SELECT json_agg(json_build_object('id', p.id, 'contentHash', p.content_hash, 'title', p.title, 'license', p.license,
          'width', p.image_width, 'height', p.image_height, 'flagged', c.flagged, 'flags', f.flags) ORDER BY c.flagged DESC, c.s DESC NULLS LAST, md5(p.id))
        FROM chosen c JOIN photos p ON p.id = c.photo_id LEFT JOIN flags f ON f.photo_id = c.photo_id)) AS j`;
  return {
    checks: row.j.checks ?? [],
    flaggedTotal: row.j.flaggedTotal,
    photos: (row.j.photos ?? []).map((p) => ({ ...p, flags: p.flags ?? [] })),
  };
}

async function expectPagesMatchReference(sampleSize: number, flaggedCap: number): Promise<void> {
  for (const nsid of nsids) {
    const review = await getAccountReview(nsid, alice, { sampleSize, flaggedCap });
    expect({ checks: review.checks, flaggedTotal: review.flaggedTotal, photos: review.photos }).toEqual(
      await referenceGrid(nsid, sampleSize, flaggedCap),
    );
  }
}

const photoIds = (account: number, n: number) => Array.from({ length: n }, (_, j) => `a${account}p${j}`);

beforeEach(async () => {
  await db().$executeRawUnsafe(
    'TRUNCATE account_decisions, overrides, check_results, photos, accounts, users CASCADE',
  );
  alice = await makeUser('alice');
  nsids = await makeAccounts(3, 40);
});

describe('account review summaries', () => {
  it('follow inserts and re-checks, and the page equals the per-result query with the cap reached and flagged photos sampled', async () => {
    const rand = prng(7);
    const all = [0, 1, 2].flatMap((a) => photoIds(a, 40));
    await saveCheckResults(randomResults(rand, all, CHECKS, 'v1'), null);
    await expectSummariesMatchResults();
    await expectPagesMatchReference(10, 3);
    for (const [i, check] of CHECKS.entries()) {
      const newVerdict = (['pass', 'fail', 'uncertain', 'pass'] as const)[i];
      await overridePhotos({
        userId: alice,
        photoIds: all.filter(() => rand() < 0.15),
        check,
        newVerdict,
        requestId: `o${i}`,
      });
    }
    await expectSummariesMatchResults();
    // Re-checks with new versions rewrite rows in place (under overrides too) and add the results earlier runs skipped;
    // v3 keeps v2's verdicts and scores for half the rows, so unchanged flags are left alone.
    const v2 = randomResults(
      rand,
      all.filter(() => rand() < 0.6),
      CHECKS,
      'v2',
    );
    await saveCheckResults(v2, null);
    await expectSummariesMatchResults();
    await saveCheckResults(
      v2.map((r) =>
        rand() < 0.5
          ? { ...r, version: 'v3' }
          : { ...r, version: 'v3', verdict: VERDICTS[Math.floor(rand() * VERDICTS.length)] },
      ),
      null,
    );
    await expectSummariesMatchResults();
    await expectPagesMatchReference(10, 3);
    await expectPagesMatchReference(48, 2000);
    const review = await getAccountReview(nsids[0], alice, { sampleSize: 10, flaggedCap: 3 });
    expect(review.flaggedTotal).toBeGreaterThan(3);
    expect(review.photos.filter((p) => p.flagged)).toHaveLength(3);
    expect(review.photos.some((p) => !p.flagged && p.flags.length > 0)).toBe(true);
  });

  it('stay right under concurrent writers of the same accounts', async () => {
    const rand = prng(3);
    // Overlapping batches in photo id order, as the stages page through photos (in different orders they deadlock on
    // check_results itself, with or without the triggers).
    const all = [0, 1, 2].flatMap((a) => photoIds(a, 40)).sort();
    const batches = [1, 2, 3, 4].map((b) =>
      randomResults(
        rand,
        all.filter(() => rand() < 0.5),
        CHECKS,
        `v${b}`,
      ),
    );
    await Promise.all([
      ...batches.map((rows) => saveCheckResults(rows, null)),
      overridePhotos({
        userId: alice,
        photoIds: all.filter(() => rand() < 0.3),
        check: 'clip_nonphoto',
        newVerdict: 'fail',
        requestId: 'c1',
      }),
    ]);
    await expectSummariesMatchResults();
  });

  it('apply overrides either way, and a re-check under an override keeps the override’s verdict', async () => {
    await saveCheckResults(
      [
        { photoId: 'a0p0', check: 'clip_nonphoto', verdict: 'fail', score: 0.9, details: {}, version: 'v1' },
        { photoId: 'a0p1', check: 'clip_nonphoto', verdict: 'pass', score: 0.1, details: {}, version: 'v1' },
        {
          photoId: 'a0p2',
          check: 'clip_nonphoto',
          verdict: 'uncertain',
          score: 0.5,
          details: {},
          version: 'v1',
        },
      ],
      null,
    );
    await overridePhotos({
      userId: alice,
      photoIds: ['a0p0'],
      check: 'clip_nonphoto',
      newVerdict: 'pass',
      requestId: 'o1',
    });
    await overridePhotos({
      userId: alice,
      photoIds: ['a0p1'],
      check: 'clip_nonphoto',
      newVerdict: 'fail',
      requestId: 'o2',
    });
    await expectSummariesMatchResults();
    let review = await getAccountReview(nsids[0], alice, { sampleSize: 0, flaggedCap: 10 });
    expect(review.checks).toEqual([{ check: 'clip_nonphoto', total: 3, fail: 1, uncertain: 1 }]);
    expect(review.photos.map((p) => [p.id, p.flags.map((f) => [f.verdict, f.overridden])])).toEqual([
      ['a0p2', [['uncertain', false]]],
      ['a0p1', [['fail', true]]],
    ]);

    await saveCheckResults(
      [
        {
          photoId: 'a0p0',
          check: 'clip_nonphoto',
          verdict: 'uncertain',
          score: 0.8,
          details: {},
          version: 'v2',
        },
        { photoId: 'a0p1', check: 'clip_nonphoto', verdict: 'pass', score: 0.2, details: {}, version: 'v2' },
      ],
      null,
    );
    await expectSummariesMatchResults();
    review = await getAccountReview(nsids[0], alice, { sampleSize: 0, flaggedCap: 10 });
    expect(review.photos.map((p) => [p.id, p.flags.map((f) => [f.verdict, f.score, f.overridden])])).toEqual([
      ['a0p2', [['uncertain', 0.5, false]]],
      ['a0p1', [['fail', 0.2, true]]],
    ]);

    // The newest override wins: putting a0p1 back to pass takes it off the page.
    await overridePhotos({
      userId: alice,
      photoIds: ['a0p1'],
      check: 'clip_nonphoto',
      newVerdict: 'pass',
      requestId: 'o3',
    });
    await expectSummariesMatchResults();
    expect((await getAccountReview(nsids[0], alice, { sampleSize: 0, flaggedCap: 10 })).flaggedTotal).toBe(1);
  });

  it('follow the watermark stage’s delete-and-insert, a photo changing owner, a deleted photo and a truncate', async () => {
    const rand = prng(11);
    await saveCheckResults(randomResults(rand, [...photoIds(0, 40), ...photoIds(1, 40)], CHECKS, 'v1'), null);
    const marks = (verdict: 'fail' | 'pass') =>
      photoIds(0, 40).map((photoId, j) => ({
        photoId,
        check: j % 2 ? 'watermark' : 'border',
        verdict: j % 3 ? verdict : ('uncertain' as const),
        score: rand(),
        details: {},
      }));
    const save = (verdict: 'fail' | 'pass') =>
      saveWatermarkResult({
        nsid: nsids[0],
        version: 'w1',
        runId: null,
        summary: {},
        extra: [],
        watermark: { check: 'watermark', verdict: 'fail', score: 0.9, details: {} },
        photos: marks(verdict),
      });
    await save('fail');
    await expectSummariesMatchResults();
    await save('pass');
    await expectSummariesMatchResults();
    await expectPagesMatchReference(10, 5);

    await db().$executeRawUnsafe(
      `UPDATE photos SET owner_nsid = $1 WHERE id IN ('a0p1', 'a0p3', 'a0p5')`,
      nsids[2],
    );
    await expectSummariesMatchResults();
    await expectPagesMatchReference(10, 5);
    await db().$executeRawUnsafe(`DELETE FROM photos WHERE id IN ('a0p4', 'a1p7')`);
    await expectSummariesMatchResults();
    await expectPagesMatchReference(10, 5);

    // A restore copies these tables back after check_results' triggers rebuilt them: the copies must not count twice.
    await db().$executeRawUnsafe(`INSERT INTO account_check_totals AS t SELECT * FROM account_check_totals
      ON CONFLICT (account_nsid, "check") DO UPDATE SET total = t.total + EXCLUDED.total`);
    await db().$executeRawUnsafe(
      `INSERT INTO photo_flags (photo_id, "check", owner_nsid, verdict) VALUES ('a1p1', 'watermark', $1, 'fail')`,
      nsids[1],
    );
    await expectSummariesMatchResults();

    await db().$executeRawUnsafe('TRUNCATE check_results');
    expect(await db().photoFlag.count()).toBe(0);
    expect(await db().accountCheckTotal.count()).toBe(0);
    expect((await getAccountReview(nsids[0], alice, { sampleSize: 10, flaggedCap: 5 })).checks).toEqual([]);
  });
});
