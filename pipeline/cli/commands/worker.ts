// `npm run worker [-- --concurrency N]`: a pipeline worker process; run any number, on any machine reaching the database.
import { disconnectDb } from '../../../lib/db.ts';
import { dataDir, env } from '../../../lib/env.ts';
import { repairStaleExports } from '../../../lib/queries/exports.ts';
import { ensureDatabase } from '../../../lib/server/database.ts';
import { startWorker } from '../../worker.ts';
import { flag, parseFlags, type CommandSpec } from '../flags.ts';

const flags = {
  concurrency: flag.int('batches run at once per stage', { min: 1, max: 64, default: () => env.WORKER_CONCURRENCY, defaultText: 'WORKER_CONCURRENCY, 2' }),
};

export const spec: CommandSpec = {
  name: 'worker',
  summary: 'a pipeline worker process taking run batches (`npm run worker`); run any number, on any machine reaching the database',
  flags,
};

export async function run(args: string[]): Promise<void> {
  const opts = parseFlags(flags, args).values;
  const database = await ensureDatabase({ dataDir: dataDir(), log: (m) => console.error(m) });
  const repaired = await repairStaleExports();
  if (repaired) console.error(`${repaired} export(s) left running by a stopped process marked failed`);
  const worker = await startWorker({ concurrency: opts.concurrency });
  console.error(`Worker ${worker.id} is taking pipeline jobs (${opts.concurrency} at a time per stage). Ctrl-C stops it; its running batches go back to the queue.`);
  await new Promise<void>((resolve) => {
    let stopping = false;
    const stop = () => {
      if (stopping) return;
      stopping = true;
      console.error('Stopping the worker…');
      void worker.stop().finally(resolve);
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await disconnectDb();
  await database.stop();
}
