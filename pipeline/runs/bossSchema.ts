// Starts pg-boss on a database that may hold the job schema of pg-boss 10, which pg-boss 12 cannot migrate.
import pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { withTx } from './pool.ts';
import type { RunSettings } from './settings.ts';
import { requeueBatches } from './store/jobs.ts';

/**
 * pg-boss 11 rewrote its schema (version 25) and migrates only from there: on a pg-boss 10 schema (version 24) 12.38's
 * start() fails with "Cannot migrate pg-boss schema from version 24: the oldest supported starting version is 25".
 */
export const OLDEST_MIGRATABLE_SCHEMA = 25;

// Any constant shared by every Quarry process: the check, the drop and the re-queue happen once, in one of them.
const LOCK_KEY = 7_180_241_812;

/**
 * Starts `boss`. A pg-boss 10 schema is dropped first and pg-boss creates its own afresh: run_batches, not the job
 * table, is the record of what a run has left to do, so every unfinished batch of a queued or running run then gets a
 * new job (and nothing else is lost: finished batches are counted in run_stages, failed ones in run_batches).
 */
export async function replaceUnmigratableSchema(
  url: string,
  boss: PgBoss,
  settings: RunSettings,
  createQueues: (stages: string[]) => Promise<void>,
  log: (m: string) => void = (m) => console.error(`pg-boss: ${m}`),
): Promise<PgBoss> {
  const client = new pg.Client({ connectionString: url, application_name: 'quarry-boss-schema' });
  client.on('error', () => {});
  await client.connect();
  try {
    await client.query('SELECT pg_advisory_lock($1)', [LOCK_KEY]);
    const version = await installedVersion(client);
    const old = version !== null && version < OLDEST_MIGRATABLE_SCHEMA;
    if (old) await client.query('DROP SCHEMA pgboss CASCADE');
    await boss.start();
    if (old) {
      const n = await requeueUnfinished(boss, settings, createQueues);
      log(
        `replaced the job schema of pg-boss 10 (version ${version}), which pg-boss 12 cannot migrate; ` +
          `${n} unfinished batch${n === 1 ? '' : 'es'} re-queued from run_batches`,
      );
    }
    return boss;
  } finally {
    await client.end().catch(() => {});
  }
}

async function installedVersion(client: pg.Client): Promise<number | null> {
  const { rows } = await client.query<{ found: boolean }>(
    `SELECT to_regclass('pgboss.version') IS NOT NULL AS found`,
  );
  if (!rows[0].found) return null;
  const { rows: v } = await client.query<{ v: number | null }>(
    'SELECT max(version)::int AS v FROM pgboss.version',
  );
  return v[0].v;
}

async function requeueUnfinished(
  boss: PgBoss,
  settings: RunSettings,
  createQueues: (stages: string[]) => Promise<void>,
) {
  const { rows: stages } = await withTx((tx) =>
    tx.query<{ stage: string }>(
      `SELECT DISTINCT b.stage FROM run_batches b JOIN pipeline_runs r ON r.id = b.run_id
       WHERE r.status IN ('queued', 'running') AND b.status IN ('pending', 'active')`,
    ),
  );
  await createQueues(stages.map((s) => s.stage));
  return withTx(async (tx) => {
    const { rows } = await tx.query<{ id: string }>(
      `SELECT b.id FROM run_batches b JOIN pipeline_runs r ON r.id = b.run_id
       WHERE r.status IN ('queued', 'running') AND b.status IN ('pending', 'active') ORDER BY b.id FOR UPDATE OF b`,
    );
    return requeueBatches(
      tx,
      boss,
      settings,
      rows.map((r) => r.id),
    );
  });
}
