// The process's one pg-boss instance (kept on globalThis: Next's route handlers and instrumentation load separate module copies).
import PgBoss from 'pg-boss';
import { databaseUrl } from '../../lib/env.ts';
import { createBossDb, type BossDb } from './bossDb.ts';

/** Connections with this name are workers; `quarry run` looks for them before starting its own. */
export const WORKER_APP_NAME = 'quarry-worker';

export const queueName = (stage: string) => `quarry-${stage}`;

type Cache = { boss?: Promise<PgBoss>; db?: BossDb; url?: string; queues: Set<string> };
const cache = globalThis as unknown as { __quarryBoss?: Cache };

export type BossOptions = { worker?: boolean };

/** Starts (once per process and database) and returns pg-boss; its schema is created on first start. */
export function getBoss(opts: BossOptions = {}): Promise<PgBoss> {
  const state = (cache.__quarryBoss ??= { queues: new Set() });
  const url = databaseUrl();
  if (!state.boss || state.url !== url) {
    state.url = url;
    state.queues = new Set();
    // Our own adapter, so that a PostgreSQL restart pauses pg-boss instead of crashing the process (see bossDb.ts).
    const db = createBossDb({
      connectionString: url,
      applicationName: opts.worker ? WORKER_APP_NAME : 'quarry-app',
      max: 4,
      log: (m) => console.error(`pg-boss: ${m}`),
    });
    state.db = db;
    const boss = new PgBoss({
      db,
      schedule: false,
      // Maintenance (expiry of hung jobs, archiving) runs under a lock, so any number of instances may supervise.
      supervise: true,
      maintenanceIntervalSeconds: 30,
    });
    boss.on('error', (e) => console.error(`pg-boss: ${e.message}`));
    state.boss = boss.start().catch(async (e: unknown) => {
      state.boss = undefined;
      state.db = undefined;
      await db.close().catch(() => {});
      throw e;
    });
  }
  return state.boss;
}

/** Queues must exist before a job is inserted (pg-boss 10 partitions jobs by queue). */
export async function ensureQueues(stages: Iterable<string>): Promise<void> {
  const boss = await getBoss();
  const state = cache.__quarryBoss!;
  for (const stage of stages) {
    const name = queueName(stage);
    if (state.queues.has(name)) continue;
    await boss.createQueue(name);
    state.queues.add(name);
  }
}

export async function stopBoss(): Promise<void> {
  const state = cache.__quarryBoss;
  if (!state?.boss) return;
  const boss = await state.boss.catch(() => null);
  const db = state.db;
  state.boss = undefined;
  state.db = undefined;
  state.queues = new Set();
  await boss?.stop({ graceful: true, timeout: 10_000, wait: true });
  await db?.close();
}
