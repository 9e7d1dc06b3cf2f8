// pg-boss's database adapter: waits out a PostgreSQL restart instead of failing the statement.
import pg from 'pg';

// Errors that mean "the server went away or is not back yet", not "the statement is wrong".
const CONNECTION_CODES = new Set([
  '57P01',
  '57P02',
  '57P03',
  '08000',
  '08003',
  '08006',
  '08001',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
]);

export function isConnectionLoss(e: unknown): boolean {
  const err = e as { code?: string; message?: string } | null;
  if (!err) return false;
  if (err.code && CONNECTION_CODES.has(err.code)) return true;
  return /Connection terminated|connection is closed|Client has encountered a connection error/i.test(
    err.message ?? '',
  );
}

export type BossDb = {
  executeSql: (text: string, values?: unknown[]) => Promise<pg.QueryResult>;
  close: () => Promise<void>;
};

/**
 * pg-boss 10 completes and fails jobs without awaiting the promise (manager.js onFetch), so a statement that rejects
 * while PostgreSQL restarts becomes an unhandled rejection and kills the worker process. Retrying connection losses
 * until the server is back (or this adapter is closed) keeps the worker alive and lets the job's state catch up.
 * pg-boss's statements are single, idempotent state transitions, and a server that terminates a connection aborts
 * the statement in flight, so a retry never applies one twice.
 */
export function createBossDb(opts: {
  connectionString: string;
  applicationName: string;
  max: number;
  log?: (m: string) => void;
}): BossDb {
  const pool = new pg.Pool({
    connectionString: opts.connectionString,
    application_name: opts.applicationName,
    max: opts.max,
  });
  pool.on('error', (e) => opts.log?.(`pg-boss pool: ${e.message}`));
  let closed = false;
  let waiting = false;
  return {
    async executeSql(text, values) {
      for (let delay = 100; ; delay = Math.min(delay * 2, 2000)) {
        try {
          const r = await pool.query(text, values);
          if (waiting) opts.log?.('database reachable again; pg-boss continues');
          waiting = false;
          return r;
        } catch (e) {
          if (closed || !isConnectionLoss(e)) throw e;
          if (!waiting) opts.log?.(`database unreachable (${(e as Error).message}); pg-boss waits for it`);
          waiting = true;
          await new Promise((r) => setTimeout(r, delay));
        }
      }
    },
    async close() {
      closed = true;
      await pool.end();
    },
  };
}
