// The scale bench's builder writes the tables the triggers keep with the triggers off: they must come out exactly as
// the triggers (and the migrations' fills) would have left them, or the bench measures pages reading wrong counts.
import pg from 'pg';
import { expect, it } from 'vitest';
import { db, Prisma } from '../../../lib/db.ts';
import { fullReasonCounts, getDatasetCounts } from '../../../lib/queries/dashboard.ts';
import { checkPhotosFromSql, listCheckPhotos } from '../../../lib/queries/overrides.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { buildScaleDatabase } from './build.ts';
import { verifyMaintained } from './verify.ts';

const { url } = useTestDatabase();
const LICENSES = [7, 8, 9, 10];

it('leaves every maintained table equal to a recount and the dashboard equal to the whole rule', async () => {
  await buildScaleDatabase(url(), { photos: 4000, accounts: 40, zipf: 0.8 }, () => {});
  const found = await verifyMaintained(url());
  expect(found.filter((f) => f.differing > 0)).toEqual([]);
  // Every table has rows, so each comparison compared something.
  expect(found.filter((f) => f.rows === 0)).toEqual([]);

  const counts = await getDatasetCounts(LICENSES);
  const full = await fullReasonCounts(LICENSES);
  expect(counts.included).toBeGreaterThan(0);
  expect(counts.included).toBe(full.find((r) => r.reason === null)?.count);

  // The check pages' counts from the built tables equal the page's filter over the whole tables: a score range (summed
  // by bucket) and "open" (the bench's undone batch leaves its photos open), per check and per account with a licence.
  const [{ nsid }] = await db().$queryRaw<
    { nsid: string }[]
  >`SELECT nsid FROM accounts ORDER BY rank LIMIT 1`;
  for (const f of [
    { minScore: 0.3, maxScore: 0.7 },
    { status: 'open' as const, verdict: 'uncertain' as const },
    { status: 'overridden' as const },
    { account: nsid, license: 9, status: 'open' as const },
  ]) {
    const [{ n }] = await db().$queryRaw<{ n: number }[]>(
      Prisma.sql`SELECT count(*)::int AS n ${checkPhotosFromSql('clip_nonphoto', f)}`,
    );
    expect(
      (await listCheckPhotos('clip_nonphoto', { ...f, page: 1, pageSize: 10 })).total,
      JSON.stringify(f),
    ).toBe(n);
  }

  // The comparison tells a count that is off.
  const c = new pg.Client({ connectionString: url() });
  await c.connect();
  await c.query(`INSERT INTO quarry_internal.check_counts ("check", license, verdict, overridden, n)
    VALUES ('border', 9, 'fail', false, 1)`);
  await c.end();
  const after = await verifyMaintained(url());
  expect(after.filter((f) => f.differing > 0).map((f) => f.table)).toEqual(['check_counts']);
}, 300_000);
