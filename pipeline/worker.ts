// A pipeline worker: takes batch jobs from every stage's pg-boss queue and takes over batches of dead workers.
// The same code runs inside the Next.js server (instrumentation.ts) and as `npm run worker` processes.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type PgBoss from 'pg-boss';
import { nodeVersionProblem } from '../lib/server/nodeVersion.ts';
import { ensureQueues, getBoss, queueName, stopBoss } from './runs/boss.ts';
import { executeJob } from './runs/execute.ts';
import { closeRunsPool } from './runs/pool.ts';
import { runSettings, type RunSettings } from './runs/settings.ts';
import { reapStale } from './runs/store/batches.ts';
import type { BatchJobData } from './runs/store/jobs.ts';
import type { AdapterRegistry } from './runs/types.ts';

export type WorkerOptions = {
  /** Batches this process runs at once, per stage queue. */
  concurrency: number;
  registry?: AdapterRegistry;
  settings?: Partial<RunSettings>;
  log?: (m: string) => void;
};

export type Worker = { id: string; stop: () => Promise<void> };

export async function startWorker(opts: WorkerOptions): Promise<Worker> {
  const oldNode = nodeVersionProblem();
  if (oldNode) throw new Error(oldNode);
  const registry = opts.registry ?? (await import('./runs/stages/index.ts')).defaultRegistry();
  const settings = runSettings(process.env, opts.settings);
  const log = opts.log ?? ((m: string) => console.error(`[worker] ${m}`));
  const id = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  const boss = await getBoss({ worker: true });
  await ensureQueues(registry.keys());
  const stopping = new AbortController();
  const deps = { boss, settings, registry, adapters: registry, workerId: id, stopping: stopping.signal, log };

  const workerIds: string[] = [];
  for (const stage of registry.keys()) {
    for (let i = 0; i < opts.concurrency; i++) {
      let workerId: string | undefined;
      workerId = await boss.work<BatchJobData>(
        queueName(stage),
        { batchSize: 1, pollingIntervalSeconds: settings.pollSeconds },
        async ([job]: PgBoss.Job<BatchJobData>[]) => {
          try {
            return await executeJob(job, deps);
          } finally {
            // pg-boss waits a whole polling interval after every fetch, even one that found work: a stage of short
            // batches (a demo's ingest windows) would then crawl at one batch per interval. Busy workers fetch again at once.
            if (workerId) boss.notifyWorker(workerId);
          }
        },
      );
      workerIds.push(workerId);
    }
  }

  let reaping = false;
  const reaper = setInterval(
    () => {
      if (reaping) return;
      reaping = true;
      reapStale(deps)
        .then((n) => {
          if (n) log(`took over ${n} batch${n === 1 ? '' : 'es'} of a lost worker`);
        })
        .catch((e: unknown) => log(`takeover check failed: ${e instanceof Error ? e.message : e}`))
        .finally(() => {
          reaping = false;
        });
    },
    Math.max(500, settings.heartbeatSeconds * 1000),
  );
  reaper.unref();
  log(`worker ${id} started: ${[...registry.keys()].join(', ')} × ${opts.concurrency}`);

  return {
    id,
    stop: async () => {
      clearInterval(reaper);
      stopping.abort(new Error('worker stopping'));
      for (const w of workerIds) await boss.offWork({ id: w }).catch(() => {});
      await stopBoss();
      await closeRunsPool();
    },
  };
}
