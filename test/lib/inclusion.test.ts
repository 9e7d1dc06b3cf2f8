// The one inclusion rule, on photos in every state: reasons, overrides winning, duplicates, uncertain verdicts.
import { describe, expect, it, beforeAll } from 'vitest';
import { db, Prisma } from '../../lib/db.ts';
import { includedPhotoIdsSql, photoReasonsSql } from '../../lib/inclusion.ts';
import { getDatasetCounts } from '../../lib/queries/dashboard.ts';
import { useTestDatabase } from '../helpers/db.ts';
import { seedInclusionStates, type Seeded } from '../pipeline/export/seedPhotos.ts';

useTestDatabase();
let seeded: Seeded;
beforeAll(async () => {
  seeded = await seedInclusionStates();
});

describe('inclusion rule', () => {
  it('includes exactly the allowed, available, unrejected, non-duplicate photos with no failed check', async () => {
    const rows = await db().$queryRaw<{ photo_id: string }[]>(
      Prisma.sql`${includedPhotoIdsSql([7, 8, 9, 10])} ORDER BY 1`,
    );
    expect(rows.map((r) => r.photo_id)).toEqual(seeded.included);
  });

  it('gives every excluded photo its reasons; the newest override wins in either direction', async () => {
    const rows = await db().$queryRaw<{ photo_id: string; reasons: string[] }[]>(
      Prisma.sql`SELECT * FROM (${photoReasonsSql([7, 8, 9, 10])}) r ORDER BY 1`,
    );
    const byId = Object.fromEntries(rows.map((r) => [r.photo_id, r.reasons]));
    for (const [reason, ids] of Object.entries(seeded.excludedBy))
      for (const id of ids) expect(byId[id]).toEqual([reason]);
    expect(byId['1010']).toEqual([]); // watermark fail, overridden fail then pass: the newest (pass) counts
    expect(byId['1013']).toEqual([]); // a duplicate a reviewer overrode to pass
  });

  it('follows the licenses asked for', async () => {
    const rows = await db().$queryRaw<{ photo_id: string }[]>(
      Prisma.sql`${includedPhotoIdsSql([4])} ORDER BY 1`,
    );
    expect(rows.map((r) => r.photo_id)).toEqual(['1004']);
  });

  it('the dashboard counts come from the same rule', async () => {
    const c = await getDatasetCounts([7, 8, 9, 10]);
    expect(c.included).toBe(seeded.included.length);
    expect(c.excluded).toBe(14 - seeded.included.length);
    expect(Object.fromEntries(c.reasons.map((r) => [r.reason, r.count]))).toEqual(
      Object.fromEntries(Object.entries(seeded.excludedBy).map(([k, v]) => [k, v.length])),
    );
  });
});
