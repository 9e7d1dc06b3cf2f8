// A pipeline worker: takes batch jobs from every stage's pg-boss queue, and records the batches pg-boss gave up on.
// The same code runs inside the Next.js server (instrumentation.ts) and as `npm run worker` processes.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { JobWithMetadata } from 'pg-boss';
import { nodeVersionProblem } from '../lib/server/nodeVersion.ts';
import { workAnnBuilds } from './runs/annBuild.ts';
import { ensureQueues, getBoss, stopBoss } from './runs/boss.ts';
import { executeGaveUp, executeJob } from './runs/execute.ts';
import { closeRunsPool } from './runs/pool.ts';
import { ANN_BUILD_QUEUE, DEAD_LETTER_QUEUE, queueName } from './runs/queues.ts';
import { runSettings, type RunSettings } from './runs/settings.ts';
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
  const boss = await getBoss({ worker: true, settings });
  await ensureQueues(registry.keys());
  const stopping = new AbortController();
  const deps = { boss, settings, registry, adapters: registry, workerId: id, stopping: stopping.signal, log };
  const fetchOptions = {
    batchSize: 1,
    pollingIntervalSeconds: settings.pollSeconds,
    includeMetadata: true,
  } as const;

  const workerIds: { queue: string; id: string }[] = [];
  const work = async (
    queue: string,
    handle: (job: JobWithMetadata<BatchJobData>) => Promise<{ outcome: string }>,
  ) => {
    let workerId: string | undefined;
    workerId = await boss.work<BatchJobData, { outcome: string }, typeof fetchOptions>(
      queue,
      fetchOptions,
      async ([job]) => {
        try {
          return await handle(job);
        } finally {
          // pg-boss waits out the rest of a polling interval after every fetch, even one that found work: a stage of
          // short batches (a demo's ingest windows) would then crawl at one batch per interval. Busy workers fetch again at once.
          if (workerId) boss.notifyWorker(workerId);
        }
      },
    );
    workerIds.push({ queue, id: workerId });
  };
  for (const stage of registry.keys())
    for (let i = 0; i < opts.concurrency; i++) await work(queueName(stage), (job) => executeJob(job, deps));
  await work(DEAD_LETTER_QUEUE, (job) => executeGaveUp(job, deps));
  // Every worker takes ANN index builds, on their own loop (a finishing step waiting for one never holds up its
  // builder); the queue's policy lets one run at a time.
  workerIds.push({
    queue: ANN_BUILD_QUEUE,
    id: await workAnnBuilds(boss, {
      pollSeconds: settings.pollSeconds,
      stopping: stopping.signal,
      onBuilt: (_job, out) =>
        log(`ANN index ${out.rebuilt ? 'rebuilt' : 'updated'}: ${out.added} added, ${out.size} in all`),
    }),
  });
  log(`worker ${id} started: ${[...registry.keys()].join(', ')} × ${opts.concurrency}`);

  return {
    id,
    stop: async () => {
      // Running batches see the abort and hand themselves back (execute.ts) before pg-boss stops waiting for them.
      stopping.abort(new Error('worker stopping'));
      for (const w of workerIds) await boss.offWork(w.queue, { id: w.id, wait: true }).catch(() => {});
      await stopBoss();
      await closeRunsPool();
    },
  };
}
