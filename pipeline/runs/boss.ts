// The process's one pg-boss instance (kept on globalThis: Next's route handlers and instrumentation load separate module copies).
import { PgBoss } from 'pg-boss';
import { databaseUrl } from '../../lib/env.ts';
import { ANN_BUILD_QUEUE, ANN_BUILD_QUEUE_OPTIONS, DEAD_LETTER_QUEUE, queueName } from './queues.ts';
import { replaceUnmigratableSchema } from './bossSchema.ts';
import { runSettings, superviseSeconds, type RunSettings } from './settings.ts';

/** Connections with this name are workers; `quarry run` looks for them before starting its own. */
export const WORKER_APP_NAME = 'quarry-worker';

type Cache = { boss?: Promise<PgBoss>; url?: string; queues: Set<string> };
const cache = globalThis as unknown as { __quarryBoss?: Cache };

/** `settings`: the framework timings of the process's first caller (a worker's), for supervision and re-queued jobs. */
export type BossOptions = { worker?: boolean; settings?: RunSettings };

/** Starts (once per process and database) and returns pg-boss; its schema is created or migrated on first start. */
export function getBoss(opts: BossOptions = {}): Promise<PgBoss> {
  const state = (cache.__quarryBoss ??= { queues: new Set() });
  const url = databaseUrl();
  if (!state.boss || state.url !== url) {
    state.url = url;
    state.queues = new Set();
    const settings = opts.settings ?? runSettings();
    const tick = superviseSeconds(settings);
    const boss = new PgBoss({
      connectionString: url,
      application_name: opts.worker ? WORKER_APP_NAME : 'quarry-app',
      max: 4,
      schedule: false,
      // Supervision (failing jobs whose heartbeat stopped or that expired, so they are retried) runs under a lock,
      // so any number of instances may supervise; every tick, so a killed worker's batch is not left for a minute.
      supervise: true,
      superviseIntervalSeconds: tick,
      monitorIntervalSeconds: tick,
    });
    // pg-boss reports what it cannot do (a query during a PostgreSQL restart...) here and carries on polling.
    boss.on('error', (e) => console.error(`pg-boss: ${e.message}`));
    state.boss = replaceUnmigratableSchema(url, boss, settings, (stages) =>
      createQueues(boss, state, stages),
    ).catch(async (e: unknown) => {
      state.boss = undefined;
      await boss.stop({ graceful: false }).catch(() => {});
      throw e;
    });
  }
  return state.boss;
}

async function createQueues(boss: PgBoss, state: Cache, stages: Iterable<string>): Promise<void> {
  // The dead letter queue first: a queue naming it must find it.
  for (const name of [DEAD_LETTER_QUEUE, ...[...stages].map(queueName)]) {
    if (state.queues.has(name)) continue;
    await boss.createQueue(name, name === DEAD_LETTER_QUEUE ? {} : { deadLetter: DEAD_LETTER_QUEUE });
    state.queues.add(name);
  }
  if (!state.queues.has(ANN_BUILD_QUEUE)) {
    await boss.createQueue(ANN_BUILD_QUEUE, ANN_BUILD_QUEUE_OPTIONS);
    state.queues.add(ANN_BUILD_QUEUE);
  }
}

/** Queues must exist before a job is inserted. */
export async function ensureQueues(stages: Iterable<string>): Promise<void> {
  const boss = await getBoss();
  await createQueues(boss, cache.__quarryBoss!, stages);
}

export async function stopBoss(): Promise<void> {
  const state = cache.__quarryBoss;
  if (!state?.boss) return;
  const boss = await state.boss.catch(() => null);
  state.boss = undefined;
  state.queues = new Set();
  await boss?.stop({ graceful: true, timeout: 10_000 });
}
