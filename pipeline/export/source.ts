// Reads the included photos for an export from one consistent snapshot, through a server-side cursor in chunks.
import pg from 'pg';
import { databaseUrl } from '../../lib/env.ts';
import { photoReasonsSql, type InclusionOptions } from '../../lib/inclusion.ts';
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
  // Not READ ONLY: the rule is evaluated once into a temporary table (which a read-only transaction may not create)
  // that the counts and the rows both read; at 10M photos each evaluation is a pass over ~80M results.
  await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ');
  let closed = false;
  let evaluated = false;
  const evaluate = async () => {
    if (evaluated) return;
    const reasons = photoReasonsSql(licenses, rule);
    await client.query(
      `CREATE TEMP TABLE export_reasons ON COMMIT DROP AS ${reasons.text}`,
      reasons.values as unknown[],
    );
    await client.query('ANALYZE export_reasons');
    evaluated = true;
  };
  return {
    async counts() {
      await evaluate();
      const { rows } = await client.query<{ reason: string | null; n: string }>(
        `SELECT NULL AS reason, count(*) AS n FROM export_reasons WHERE cardinality(reasons) = 0
         UNION ALL SELECT '__all__', count(*) FROM export_reasons
         UNION ALL SELECT reason, count(*) FROM export_reasons r, unnest(r.reasons) AS reason GROUP BY reason`,
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
      await evaluate();
      await client.query(
        `DECLARE export_rows NO SCROLL CURSOR FOR
         SELECT ${STAGING_LINE_SQL} AS line, p.description FROM photos p
         JOIN export_reasons i ON i.photo_id = p.id WHERE cardinality(i.reasons) = 0 ORDER BY p.id`,
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
