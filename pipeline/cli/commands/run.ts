// `npm run quarry -- run --stages ingest,analyze,clip,watermarks,export [--from D --to D --licenses 9,10 --limit N
//   --batch-size N --format parquet,jsonl --thresholds minResolution=512,watermarkFail=0.6] [--detach]`
// starts a pipeline run (the same as the Runs page), runs it with an in-process worker unless workers are connected,
// and prints its progress until it ends. Also: --list, --status ID, --cancel ID, --resume ID, --retry-failed ID.
import { disconnectDb } from '../../../lib/db.ts';
import { dataDir, env } from '../../../lib/env.ts';
import { countWorkerConnections, getRun, listRuns, type RunView } from '../../../lib/queries/runs.ts';
import { ensureDatabase } from '../../../lib/server/database.ts';
import { stopBoss, WORKER_APP_NAME } from '../../runs/boss.ts';
import { DEFAULT_THRESHOLDS, type RunInput } from '../../runs/config.ts';
import { cancelRun, createRun, resumeRun, retryFailed } from '../../runs/control.ts';
import { describeRun } from '../../runs/describe.ts';
import { closeRunsPool } from '../../runs/pool.ts';
import { defaultRegistry } from '../../runs/stages/index.ts';
import { startWorker, type Worker } from '../../worker.ts';
import { parseArgs } from '../withDatabase.ts';

const list = (v: string | true | undefined) => (typeof v === 'string' ? v.split(',').map((s) => s.trim()).filter(Boolean) : undefined);

function thresholds(v: string | true | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const pair of list(v) ?? []) {
    const [k, val] = pair.split('=');
    if (!(k in DEFAULT_THRESHOLDS)) throw new Error(`unknown threshold ${k} (known: ${Object.keys(DEFAULT_THRESHOLDS).join(', ')})`);
    out[k] = Number(val);
  }
  return out;
}

const ended = (r: RunView) => r.status === 'completed' || r.status === 'failed' || r.status === 'cancelled';

async function follow(id: string): Promise<RunView> {
  const tty = process.stderr.isTTY;
  let drawn = 0;
  let lastPrint = 0;
  for (;;) {
    const r = await getRun(id);
    if (!r) throw new Error(`Run ${id} not found`);
    const lines = describeRun(r);
    if (tty) {
      process.stderr.write(`${drawn ? `\x1b[${drawn}F\x1b[J` : ''}${lines.join('\n')}\n`);
      drawn = lines.length;
    } else if (ended(r) || Date.now() - lastPrint > 5000) {
      process.stderr.write(`${lines.join('\n')}\n`);
      lastPrint = Date.now();
    }
    if (ended(r)) return r;
    await new Promise((res) => setTimeout(res, 1000));
  }
}

export async function run(args: string[]): Promise<void> {
  const { flags } = parseArgs(args);
  const database = await ensureDatabase({ dataDir: dataDir(), log: (m) => console.error(m) });
  const registry = defaultRegistry();
  let worker: Worker | null = null;
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    console.error('\nStopping; the run goes on with other workers, or resume it later with --resume.');
    void (worker?.stop() ?? Promise.resolve()).finally(async () => { await database.stop(); process.exit(130); });
  };
  process.once('SIGINT', onSignal);
  try {
    const control = { registry };
    let id: string;
    if (flags.list) {
      for (const r of (await listRuns({ page: 1, pageSize: 20 })).data) console.log(describeRun(r).join('\n'));
      return;
    }
    if (typeof flags.status === 'string') {
      const r = await getRun(flags.status);
      console.log(r ? describeRun(r).join('\n') : `Run ${flags.status} not found`);
      return;
    }
    if (typeof flags.cancel === 'string') {
      await cancelRun(flags.cancel, control);
      console.log(`Run ${flags.cancel} cancelled: running batches finish, no new ones start.`);
      return;
    }
    if (typeof flags.resume === 'string') await resumeRun((id = flags.resume), control);
    else if (typeof flags['retry-failed'] === 'string') await retryFailed((id = flags['retry-failed']), control);
    else {
      const str = (v: string | true | undefined) => (typeof v === 'string' ? v : undefined);
      const input: RunInput = {
        stages: list(flags.stages) ?? [], from: str(flags.from), to: str(flags.to), licenses: list(flags.licenses)?.map(Number),
        limit: flags.limit ? Number(flags.limit) : undefined, batchSize: flags['batch-size'] ? Number(flags['batch-size']) : undefined,
        thresholds: thresholds(flags.thresholds), exportFormats: list(flags.format) as RunInput['exportFormats'],
      };
      const created = await createRun(input, null, { registry, defaults: { licenses: env.FLICKR_LICENSES.map(Number) } });
      id = created.id;
      console.error(`Run ${id} started: ${created.config.stages.join(' → ')}`);
    }
    if (flags.detach) {
      console.log(id);
      return;
    }
    const workers = await countWorkerConnections(WORKER_APP_NAME);
    if (workers === 0) worker = await startWorker({ concurrency: env.WORKER_CONCURRENCY, registry, log: () => {} });
    else console.error(`${workers} worker connection(s) found: they run the batches.`);
    const r = await follow(id);
    if (!interrupted) process.exitCode = r.status === 'completed' ? 0 : 1;
  } finally {
    process.off('SIGINT', onSignal);
    if (!interrupted) {
      await worker?.stop();
      await stopBoss();
      await closeRunsPool();
      await disconnectDb();
      await database.stop();
    }
  }
}
