// Reads the included photos for an export from one consistent snapshot, through a server-side cursor in chunks.
import pg from 'pg';
import { databaseUrl } from '../../lib/env.ts';
import { includedPhotoIdsSql, photoReasonsSql, type InclusionOptions } from '../../lib/inclusion.ts';
import { STAGING_LINE_SQL, stagingTail, type StagingChunk } from './columns.ts';

export type Snapshot = {
  /** Photos in the snapshot, included ones, and excluded counts by reason (a photo counts under each of its reasons). */
  counts: () => Promise<{ photos: number; included: number; excluded: Record<string, number> }>;
  /** Model and check versions behind the current results, and the runs that wrote them. */
  provenance: () => Promise<{ versions: Record<string, string[]>; runIds: string[] }>;
  /** The included photos as staging CSV, in id order. */
  rows: (chunkSize?: number) => AsyncGenerator<StagingChunk>;
  close: () => Promise<void>;
};

/** A REPEATABLE READ transaction: the manifest's counts and the files' rows describe exactly the same data. */
export async function openSnapshot(
  licenses: readonly number[],
  o: InclusionOptions & { applicationName?: string } = {},
): Promise<Snapshot> {
  const rule: InclusionOptions = { watermarkPolicy: o.watermarkPolicy };
  const client = new pg.Client({
    connectionString: databaseUrl(),
    application_name: o.applicationName ?? 'quarry-export',
  });
  // A dropped connection fails the export through its pending query; the event itself must not crash the process.
  client.on('error', () => {});
  await client.connect();
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
  let closed = false;
  return {
    async counts() {
      const reasons = photoReasonsSql(licenses, rule);
      const { rows } = await client.query<{ reason: string | null; n: string }>(
        `WITH r AS (${reasons.text}) SELECT NULL AS reason, count(*) AS n FROM r WHERE cardinality(reasons) = 0
         UNION ALL SELECT '__all__', count(*) FROM r
         UNION ALL SELECT reason, count(*) FROM r, unnest(r.reasons) AS reason GROUP BY reason`,
        reasons.values as unknown[],
      );
      const excluded: Record<string, number> = {};
      for (const r of rows) if (r.reason && r.reason !== '__all__') excluded[r.reason] = Number(r.n);
      return {
        photos: Number(rows.find((r) => r.reason === '__all__')?.n ?? 0),
        included: Number(rows.find((r) => r.reason === null)?.n ?? 0),
        excluded,
      };
    },
    async provenance() {
      const { rows: v } = await client.query<{ check: string; version: string }>(
        `SELECT DISTINCT "check", version FROM check_results UNION SELECT DISTINCT "check", version FROM account_check_results ORDER BY 1, 2`,
      );
      const versions: Record<string, string[]> = {};
      for (const r of v) (versions[r.check] ??= []).push(r.version);
      const { rows: runs } = await client.query<{ run_id: string }>(
        `SELECT run_id FROM check_results WHERE run_id IS NOT NULL UNION SELECT run_id FROM account_check_results WHERE run_id IS NOT NULL`,
      );
      return { versions, runIds: runs.map((r) => r.run_id).sort() };
    },
    async *rows(chunkSize = 20_000) {
      const ids = includedPhotoIdsSql(licenses, rule);
      await client.query(
        `DECLARE export_rows NO SCROLL CURSOR FOR
         SELECT ${STAGING_LINE_SQL} AS line, p.description FROM photos p JOIN (${ids.text}) i ON i.photo_id = p.id ORDER BY p.id`,
        ids.values as unknown[],
      );
      for (;;) {
        const { rows } = await client.query<[string, string]>({
          text: `FETCH ${chunkSize} FROM export_rows`,
          rowMode: 'array',
        });
        if (rows.length === 0) break;
        yield { text: rows.map((r) => r[0] + stagingTail(r[1])).join(''), rows: rows.length };
      }
      await client.query('CLOSE export_rows');
    },
    async close() {
      if (closed) return;
      closed = true;
      await client.query('ROLLBACK').catch(() => {});
      await client.end();
    },
  };
}
