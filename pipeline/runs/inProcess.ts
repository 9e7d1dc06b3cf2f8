// The worker inside the Next.js server (the embedded default): started once from instrumentation.ts, stopped on SIGTERM.
// It is loaded unbundled through tsx, exactly as `npm run worker` runs it: the same files, not a bundler's copy of them
// (the stages use import.meta.dirname, native addons and worker threads, which bundling would change).
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { env } from '../../lib/env.ts';
import type { Worker } from '../worker.ts';

type WorkerModule = { startWorker: (o: { concurrency: number }) => Promise<Worker> };
type TsxApi = { tsImport: (specifier: string, parentURL: string) => Promise<unknown> };

const state = globalThis as unknown as { __quarryInProcessWorker?: Promise<Worker | null> };

async function loadWorkerModule(): Promise<WorkerModule> {
  const root = process.env.QUARRY_ROOT ?? process.cwd();
  const { tsImport } = (await import(/* turbopackIgnore: true */ /* webpackIgnore: true */ 'tsx/esm/api')) as TsxApi;
  const file = path.join(/* turbopackIgnore: true */ root, 'pipeline', 'worker.ts');
  return (await tsImport(pathToFileURL(file).href, pathToFileURL(`${root}/`).href)) as WorkerModule;
}

export function startInProcessWorker(): Promise<Worker | null> {
  if (state.__quarryInProcessWorker) return state.__quarryInProcessWorker;
  if (!env.IN_PROCESS_WORKER || !process.env.DATABASE_URL) return Promise.resolve(null);
  state.__quarryInProcessWorker = loadWorkerModule()
    .then((m) => m.startWorker({ concurrency: env.WORKER_CONCURRENCY }))
    .then((worker) => {
      // Next's own handler closes the server and exits meanwhile; running batches are handed back if time allows,
      // and otherwise taken over once their heartbeat is stale. Either way a restarted server finishes the run.
      const stop = () => { void worker.stop().catch(() => {}); };
      process.once('SIGTERM', stop);
      process.once('SIGINT', stop);
      return worker;
    })
    .catch((e: unknown) => {
      console.error(`In-process worker did not start: ${e instanceof Error ? e.stack ?? e.message : e}`);
      state.__quarryInProcessWorker = undefined;
      return null;
    });
  return state.__quarryInProcessWorker;
}
