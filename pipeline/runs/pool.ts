// The job framework's PostgreSQL pool: the run bookkeeping and pg-boss job inserts share one transaction.
import pg from 'pg';
import { databaseUrl } from '../../lib/env.ts';

type Cache = { pool?: pg.Pool; url?: string };
const cache = globalThis as unknown as { __quarryRunsPool?: Cache };

export function runsPool(): pg.Pool {
  const state = (cache.__quarryRunsPool ??= {});
  const url = databaseUrl();
  if (!state.pool || state.url !== url) {
    state.pool = new pg.Pool({ connectionString: url, max: 4, application_name: 'quarry-runs' });
    // An idle client's error (the server restarting) must not crash the process.
    state.pool.on('error', (e) => console.error(`runs pool: ${e.message}`));
    state.url = url;
  }
  return state.pool;
}

export async function closeRunsPool(): Promise<void> {
  const state = cache.__quarryRunsPool;
  if (state?.pool) await state.pool.end();
  if (state) state.pool = undefined;
}

export type Tx = pg.PoolClient;

/** Runs `fn` in one READ COMMITTED transaction; rolls back on any error. */
export async function withTx<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
  const client = await runsPool().connect();
  // A checked-out client has no pool listener: a connection cut between two queries (a database restart) emits
  // 'error' on it, which would crash the process. The next query fails with it instead, and the client is dropped.
  let broken = false;
  const onError = () => {
    broken = true;
  };
  client.on('error', onError);
  try {
    await client.query('BEGIN');
    const out = await fn(client);
    await client.query('COMMIT');
    return out;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    client.off('error', onError);
    client.release(broken);
  }
}

/** pg-boss's executor interface over a transaction's client, so job rows commit with ours. */
export function bossDb(tx: Tx): {
  executeSql: (text: string, values?: unknown[]) => Promise<{ rows: any[] }>;
} {
  return { executeSql: (text, values) => tx.query(text, values as unknown[]) };
}
