// `npm run worker [-- --concurrency N]`: a pipeline worker process; run any number, on any machine reaching the database.
// The web server runs one of these as its child (pipeline/runs/serverWorker.ts): then it reports ready over IPC and
// stops when the server goes, however the server went.
import { disconnectDb } from '../../../lib/db.ts';
import { dataDir, env } from '../../../lib/env.ts';
import { repairStaleExports } from '../../../lib/queries/exports.ts';
import { ensureDatabase } from '../../../lib/server/database.ts';
import type { WorkerChildMessage } from '../../runs/serverWorker.ts';
import { startWorker } from '../../worker.ts';
import { flag, parseFlags, type CommandSpec } from '../flags.ts';

const flags = {
  concurrency: flag.int('batches run at once per stage', {
    min: 1,
    max: 64,
    default: () => env.WORKER_CONCURRENCY,
    defaultText: 'WORKER_CONCURRENCY, 2',
  }),
};

export const spec: CommandSpec = {
  name: 'worker',
  summary:
    'a pipeline worker process taking run batches (`npm run worker`); run any number, on any machine reaching the database',
  flags,
};

export async function run(args: string[]): Promise<void> {
  const opts = parseFlags(flags, args).values;
  const underServer = typeof process.send === 'function';
  let stop: ((why: string) => void) | null = null;
  // The server went away (exit, crash, kill -9) before or while we start: the IPC channel closes; never outlive it.
  if (underServer) process.once('disconnect', () => (stop ? stop('the server stopped') : process.exit(0)));
  const database = await ensureDatabase({ dataDir: dataDir(), log: (m) => console.error(m) });
  const repaired = await repairStaleExports();
  if (repaired) console.error(`${repaired} export(s) left running by a stopped process marked failed`);
  const worker = await startWorker({ concurrency: opts.concurrency });
  if (underServer) {
    const ready: WorkerChildMessage = { type: 'quarry-worker-ready', workerId: worker.id };
    process.send!(ready);
    console.error(
      `Pipeline worker ${worker.id} (pid ${process.pid}, the server's child) is taking jobs (${opts.concurrency} at a time per stage).`,
    );
  } else {
    console.error(
      `Worker ${worker.id} is taking pipeline jobs (${opts.concurrency} at a time per stage). Ctrl-C stops it; its running batches go back to the queue.`,
    );
  }
  await new Promise<void>((resolve) => {
    let stopping = false;
    stop = (why: string) => {
      if (stopping) return;
      stopping = true;
      console.error(`Stopping the worker (${why})…`);
      // The server's child never lingers: if handing back hangs (its database already gone), the batches' stale
      // heartbeats get them taken over anyway.
      if (underServer)
        setTimeout(() => {
          console.error('The worker did not stop within 30 s; exiting');
          process.exit(1);
        }, 30_000).unref();
      void worker.stop().finally(resolve);
    };
    if (underServer && !process.connected) stop('the server stopped');
    process.once('SIGINT', () => stop!('SIGINT'));
    process.once('SIGTERM', () => stop!('SIGTERM'));
  });
  await disconnectDb();
  await database.stop();
}
