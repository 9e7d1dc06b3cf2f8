// The effective verdict is defined once, by the effective_verdicts view: the newest override wins (ties on time go to
// the later id), and the inclusion rule and the photo_flags triggers both follow it through re-checks and overrides.
import { beforeAll, describe, expect, it } from 'vitest';
import { db, Prisma } from '../../lib/db.ts';
import { photoReasonsSql } from '../../lib/inclusion.ts';
import { bulkOverride, undoOverrideBatch } from '../../lib/queries/overrideBatches.ts';
import { listCheckPhotos, overridePhotos } from '../../lib/queries/overrides.ts';
import { getPhotoDetail } from '../../lib/queries/photos.ts';
import { useTestDatabase } from '../helpers/db.ts';

useTestDatabase();
let userId: string;
const AT = new Date('2025-03-01T00:00:00Z');

type Row = { photo_id: string; check: string; verdict: string };
const key = (r: Row) => `${r.photo_id}/${r.check}=${r.verdict}`;

async function effective(): Promise<string[]> {
  const rows = await db().$queryRaw<
    Row[]
  >`SELECT photo_id, "check", verdict::text AS verdict FROM effective_verdicts ORDER BY 1, 2`;
  return rows.map(key);
}
async function flags(): Promise<string[]> {
  const rows = await db().$queryRaw<
    Row[]
  >`SELECT photo_id, "check", verdict::text AS verdict FROM photo_flags ORDER BY 1, 2`;
  return rows.map(key);
}
async function failedChecks(): Promise<string[]> {
  const rows = await db().$queryRaw<{ photo_id: string; reasons: string[] }[]>(
    Prisma.sql`SELECT * FROM (${photoReasonsSql([9])}) r ORDER BY 1`,
  );
  return rows.flatMap((r) =>
    r.reasons.filter((x) => x.startsWith('check:')).map((x) => `${r.photo_id}/${x.slice(6)}=fail`),
  );
}
const override = (
  photoId: string,
  check: string,
  newVerdict: 'pass' | 'fail' | 'uncertain',
  createdAt = AT,
) => db().override.create({ data: { userId, photoId, check, oldVerdict: null, newVerdict, createdAt } });

/** The view's flagged rows are photo_flags exactly, and its failed rows are the inclusion rule's check reasons. */
async function expectAllAgree(expected: string[]) {
  const view = await effective();
  expect(view).toEqual(expected);
  expect(await flags()).toEqual(view.filter((r) => r.endsWith('=fail') || r.endsWith('=uncertain')));
  expect(await failedChecks()).toEqual(view.filter((r) => r.endsWith('=fail')));
}

beforeAll(async () => {
  userId = (
    await db().user.create({ data: { email: 'v@t.test', name: 'V', passwordHash: 'x', role: 'reviewer' } })
  ).id;
  await db().account.create({ data: { nsid: '9@N09', username: 'vera' } });
  await db().photo.createMany({ data: photoRows(['2001', '2002', '2003'], 0) });
  await db().checkResult.createMany({
    data: [
      { photoId: '2001', check: 'watermark', verdict: 'fail', score: 0.9, version: 'wm-1' },
      { photoId: '2002', check: 'clip_nonphoto', verdict: 'uncertain', score: 0.5, version: 'clip-1' },
      { photoId: '2003', check: 'resolution', verdict: 'pass', score: 3000, version: 'res-1' },
    ],
  });
});

/** Vera's photos, uploaded a day apart from the first day of `month` (2020). */
function photoRows(ids: string[], month: number) {
  return ids.map((id, i) => ({
    id,
    ownerNsid: '9@N09',
    secret: `s${id}`,
    server: '1',
    farm: 1,
    title: id,
    tags: '',
    license: 9,
    dateUpload: new Date(Date.UTC(2020, month, 1 + i)),
    availability: 'available' as const,
  }));
}

describe('effective verdicts', () => {
  it('are the checks’ own verdicts before any override', async () => {
    await expectAllAgree(['2001/watermark=fail', '2002/clip_nonphoto=uncertain', '2003/resolution=pass']);
  });

  it('take the newest override; at the same time the later id wins, in the view, the flags and the rule alike', async () => {
    await override('2001', 'watermark', 'fail');
    await override('2001', 'watermark', 'pass'); // same time, later id: the newer
    await override('2003', 'resolution', 'uncertain', new Date('2025-02-01T00:00:00Z'));
    await override('2003', 'resolution', 'fail', new Date('2025-01-01T00:00:00Z')); // written later, but older
    await expectAllAgree([
      '2001/watermark=pass',
      '2002/clip_nonphoto=uncertain',
      '2003/resolution=uncertain',
    ]);
  });

  it('keep an override over a re-check, and follow a re-check where nobody overrode', async () => {
    await db().checkResult.updateMany({
      where: { photoId: { in: ['2001', '2002'] } },
      data: { verdict: 'fail', version: 'v-2' },
    });
    await expectAllAgree(['2001/watermark=pass', '2002/clip_nonphoto=fail', '2003/resolution=uncertain']);
    await override('2002', 'clip_nonphoto', 'pass', new Date('2026-01-01T00:00:00Z'));
    await expectAllAgree(['2001/watermark=pass', '2002/clip_nonphoto=pass', '2003/resolution=uncertain']);
  });
});

describe('effective verdicts after an undo', () => {
  it('are the machine’s current verdicts once no override stands, even when a re-check changed them after the batch', async () => {
    // 2004 failed and 2005 was doubted; a batch passes both; re-checks then turn 2004 to pass and 2005 to fail; the
    // batch is undone. Its undo rows carry the verdicts the batch had replaced (fail, uncertain), but they are no
    // reviewer's verdict: with no override standing, the checks' own current verdicts are in force.
    await db().photo.createMany({ data: photoRows(['2004', '2005'], 1) });
    await db().checkResult.createMany({
      data: [
        { photoId: '2004', check: 'exif_copyright', verdict: 'fail', score: 0.9, version: 'x-1' },
        { photoId: '2005', check: 'exif_copyright', verdict: 'uncertain', score: 0.5, version: 'x-1' },
      ],
    });
    const before = ['2001/watermark=pass', '2002/clip_nonphoto=pass', '2003/resolution=uncertain'];
    const batch = await bulkOverride({
      userId,
      check: 'exif_copyright',
      filter: {},
      newVerdict: 'pass',
      expectedCount: 2,
      requestId: 'ev-batch',
    });
    await expectAllAgree([...before, '2004/exif_copyright=pass', '2005/exif_copyright=pass'].sort());
    await db().checkResult.update({
      where: { photoId_check: { photoId: '2004', check: 'exif_copyright' } },
      data: { verdict: 'pass', version: 'x-2' },
    });
    await db().checkResult.update({
      where: { photoId_check: { photoId: '2005', check: 'exif_copyright' } },
      data: { verdict: 'fail', version: 'x-2' },
    });
    await expectAllAgree([...before, '2004/exif_copyright=pass', '2005/exif_copyright=pass'].sort());
    await undoOverrideBatch({ userId, batchId: batch.id, requestId: 'ev-undo' });
    await expectAllAgree([...before, '2004/exif_copyright=pass', '2005/exif_copyright=fail'].sort());
    // The photo drawer and the check page say the same.
    const inDrawer = async (id: string) =>
      (await getPhotoDetail(id, [9])).checks.find((c) => c.check === 'exif_copyright')?.effective;
    expect(await inDrawer('2004')).toBe('pass');
    expect(await inDrawer('2005')).toBe('fail');
    const page = await listCheckPhotos('exif_copyright', { page: 1, pageSize: 10 });
    expect(page.data.map((p) => [p.photoId, p.effective, p.override])).toEqual([['2005', 'fail', null]]);
    // A new override records the verdict it replaces: the machine's current one.
    const single = await overridePhotos({
      userId,
      photoIds: ['2004', '2005'],
      check: 'exif_copyright',
      newVerdict: 'uncertain',
      requestId: 'ev-single',
    });
    expect(single.overridden.map((o) => [o.photoId, o.oldVerdict])).toEqual([
      ['2004', 'pass'],
      ['2005', 'fail'],
    ]);
    await expectAllAgree(
      [...before, '2004/exif_copyright=uncertain', '2005/exif_copyright=uncertain'].sort(),
    );
  });
});

/** Rows of photo_flags that the view does not give, and the other way round (owner, verdict, score, overridden). */
async function flagsDisagreeingWithView(): Promise<number> {
  const [{ n }] = await db().$queryRaw<{ n: number }[]>`
    WITH v AS (
      SELECT e.photo_id, e."check", p.owner_nsid, e.verdict, e.score, e.overridden
      FROM effective_verdicts e JOIN photos p ON p.id = e.photo_id WHERE e.verdict IN ('fail', 'uncertain')),
    f AS (SELECT photo_id, "check", owner_nsid, verdict, score, overridden FROM photo_flags)
    SELECT ((SELECT count(*) FROM (SELECT * FROM v EXCEPT SELECT * FROM f) a)
      + (SELECT count(*) FROM (SELECT * FROM f EXCEPT SELECT * FROM v) b))::int AS n`;
  return n;
}

describe('photo_flags after a bulk override', () => {
  it('a statement of 10,000 overrides or more (which locks check_results whole) leaves the flags the view gives', async () => {
    await db().account.create({ data: { nsid: '8@N08', username: 'bulk' } });
    await db().$executeRaw`
      INSERT INTO photos (id, owner_nsid, secret, server, license, date_upload, availability, updated_at)
      SELECT 'b' || g, '8@N08', 's', '1', 9, now(), 'available', now() FROM generate_series(1, 10500) g`;
    await db().$executeRaw`
      INSERT INTO check_results (photo_id, "check", verdict, score, details, version)
      SELECT 'b' || g, 'clip_nonwholesome', (ARRAY['fail', 'uncertain', 'pass'])[g % 3 + 1]::"Verdict", g / 10500.0, '{}', 'v1'
      FROM generate_series(1, 10500) g`;
    // A few photos already carry an override dated later than the bulk's rows: theirs stays the newest.
    await db().$executeRaw`
      INSERT INTO overrides (user_id, photo_id, "check", new_verdict, created_at)
      SELECT ${userId}, 'b' || g, 'clip_nonwholesome', 'fail', now() + interval '1 hour' FROM generate_series(1, 30) g`;
    expect(await flagsDisagreeingWithView()).toBe(0);
    const n = await db().$executeRaw`
      INSERT INTO overrides (user_id, photo_id, "check", old_verdict, new_verdict)
      SELECT ${userId}, 'b' || g, 'clip_nonwholesome', 'fail', (ARRAY['pass', 'fail', 'uncertain', 'pass'])[g % 4 + 1]::"Verdict"
      FROM generate_series(1, 10500) g ORDER BY 2`;
    expect(n).toBe(10500);
    expect(await flagsDisagreeingWithView()).toBe(0);
    const [{ flagged }] = await db().$queryRaw<{ flagged: number }[]>`
      SELECT count(*)::int AS flagged FROM photo_flags WHERE "check" = 'clip_nonwholesome'`;
    // The 30 later fails, and of the 10,470 bulk rows in force those turning fail or uncertain (g % 4 in 1, 2): 5,234.
    expect(flagged).toBe(30 + 5234);
    // And one override at a time again (the row-lock path), back and forth.
    await override('b100', 'clip_nonwholesome', 'pass', new Date(Date.now() + 7_200_000));
    await override('b101', 'clip_nonwholesome', 'uncertain', new Date(Date.now() + 7_200_000));
    expect(await flagsDisagreeingWithView()).toBe(0);
  });
});
