// `npm run worker [-- --concurrency N]`: a pipeline worker process; run any number, on any machine reaching the database.
import { z } from 'zod';
import { disconnectDb } from '../../../lib/db.ts';
import { dataDir, env } from '../../../lib/env.ts';
import { ensureDatabase } from '../../../lib/server/database.ts';
import { startWorker } from '../../worker.ts';
import { parseArgs } from '../withDatabase.ts';

const argsSchema = z.object({ concurrency: z.coerce.number().int().min(1).max(64).default(env.WORKER_CONCURRENCY) });

export async function run(args: string[]): Promise<void> {
  const { flags } = parseArgs(args);
  const opts = argsSchema.parse({ concurrency: flags.concurrency });
  const database = await ensureDatabase({ dataDir: dataDir(), log: (m) => console.error(m) });
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
