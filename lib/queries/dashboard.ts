import { db } from '../db.ts';
import { photoReasonsSql } from '../inclusion.ts';
import { Prisma } from '../generated/prisma/client.ts';

export type DatasetCounts = {
  photos: number;
  accounts: number;
  included: number;
  excluded: number;
  reasons: { reason: string; count: number }[];
};

export async function getDatasetCounts(licenses: readonly number[]): Promise<DatasetCounts> {
  const [totals] = await db().$queryRaw<{ photos: bigint; accounts: bigint }[]>`
    SELECT (SELECT count(*) FROM photos) AS photos, (SELECT count(*) FROM accounts) AS accounts`;
  const rows = await db().$queryRaw<{ reason: string | null; count: bigint }[]>(Prisma.sql`
    WITH r AS (${photoReasonsSql(licenses)})
    SELECT NULL AS reason, count(*) FILTER (WHERE cardinality(reasons) = 0) AS count FROM r
    UNION ALL
    SELECT reason, count(*) FROM r, unnest(r.reasons) AS reason GROUP BY reason`);
  const included = Number(rows.find((r) => r.reason === null)?.count ?? 0);
  const photos = Number(totals.photos);
  return {
    photos,
    accounts: Number(totals.accounts),
    included,
    excluded: photos - included,
    reasons: rows.filter((r) => r.reason !== null).map((r) => ({ reason: r.reason as string, count: Number(r.count) }))
      .sort((a, b) => b.count - a.count),
  };
}
