// Reading pg-boss's job table for what users must see of a queue (a build nobody takes); pg-boss itself writes it.
import { db } from '../db.ts';

export type PendingJob = {
  state: 'queued' | 'running' | 'retrying';
  createdOn: string;
  startedOn: string | null;
};

/** The queue's oldest job that is waiting, waiting to be retried or running; null when there is none. */
export async function getPendingJob(queue: string): Promise<PendingJob | null> {
  const [row] = await db().$queryRaw<{ state: string; created_on: Date; started_on: Date | null }[]>`
    SELECT state::text AS state, created_on, started_on FROM pgboss.job
    WHERE name = ${queue} AND state IN ('created', 'retry', 'active')
    ORDER BY (state = 'active') DESC, created_on LIMIT 1`;
  if (!row) return null;
  const state = row.state === 'active' ? 'running' : row.state === 'retry' ? 'retrying' : 'queued';
  return {
    state,
    createdOn: row.created_on.toISOString(),
    startedOn: row.started_on?.toISOString() ?? null,
  };
}
