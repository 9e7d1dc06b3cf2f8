// `npm run quarry -- run --stages ingest,analyze,clip,watermarks,export [--from D --to D --licenses 9,10 --limit N
//   --batch-size N --format parquet,jsonl --thresholds minResolution=512,watermarkFail=0.6] [--detach]`
// starts a pipeline run (the same as the Runs page), runs it with an in-process worker unless workers are connected,
// and prints its progress until it ends. Also: --list, --status ID, --cancel ID, --resume ID, --retry-failed ID.
import { disconnectDb } from '../../../lib/db.ts';
import { dataDir, env } from '../../../lib/env.ts';
import { repairStaleExports } from '../../../lib/queries/exports.ts';
import { countWorkerConnections, getRun, listRuns, type RunView } from '../../../lib/queries/runs.ts';
import { ensureDatabase } from '../../../lib/server/database.ts';
import { stopBoss, WORKER_APP_NAME } from '../../runs/boss.ts';
import { DEFAULT_THRESHOLDS, EXPORT_FORMATS, runInputSchema, thresholdsSchema, type RunInput } from '../../runs/config.ts';
import { cancelRun, createRun, resumeRun, retryFailed } from '../../runs/control.ts';
import { describeRun } from '../../runs/describe.ts';
import { closeRunsPool } from '../../runs/pool.ts';
import { STAGE_CATALOG } from '../../runs/stages/catalog.ts';
import { defaultRegistry } from '../../runs/stages/index.ts';
import { startWorker, type Worker } from '../../worker.ts';
import { flag, parseFlags, UsageError, type CommandSpec, type Values } from '../flags.ts';

const THRESHOLD_NAMES = Object.keys(DEFAULT_THRESHOLDS);

/** `minResolution=512,watermarkFail=0.6` → thresholds, each name known and each value in its range. */
function parseThresholds(raw: string): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  for (const pair of raw.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [k, v, extra] = pair.split('=');
    if (extra !== undefined || !THRESHOLD_NAMES.includes(k) || v === undefined || v.trim() === '' || !Number.isFinite(Number(v))) return undefined;
    out[k] = Number(v);
  }
  return Object.keys(out).length && thresholdsSchema.safeParse(out).success ? out : undefined;
}

const runId = (description: string) => flag.string(description, { value: 'ID', expects: 'a run id (see --list)' });

const runFlags = {
  stages: flag.list('stages to run, in pipeline order', STAGE_CATALOG.map((s) => s.name)),
  from: flag.date('first upload day (UTC) the run covers', { defaultText: '2004-01-01' }),
  to: flag.date('last upload day (UTC) the run covers', { defaultText: 'today' }),
  licenses: flag.intList('Flickr license ids', { min: 0, max: 10, defaultText: 'FLICKR_LICENSES, 7,8,9,10' }),
  limit: flag.int('at most N items per stage (photos, accounts, windows)', { min: 1, max: 100_000_000 }),
  'batch-size': flag.int('items per batch', { min: 1, max: 10_000, defaultText: 'per stage' }),
  format: flag.list('export formats', EXPORT_FORMATS, { defaultText: 'parquet' }),
  thresholds: flag.of('thresholds to override, NAME=VALUE pairs', 'NAME=X,…', `comma-separated NAME=VALUE pairs, names among ${THRESHOLD_NAMES.join(', ')}, values in range`, parseThresholds),
  detach: flag.switch('print the run id and return; workers (the app\'s or `npm run worker`) run it'),
  list: flag.switch('list the latest 20 runs'),
  status: runId('show one run'),
  cancel: runId('cancel a run: running batches finish, no new ones start'),
  resume: runId('resume a cancelled or failed run'),
  'retry-failed': runId('retry the failed batches of a run'),
};

export const spec: CommandSpec = {
  name: 'run',
  summary: 'start a pipeline run (as the Runs page does) and follow it, or list, show, cancel, resume and retry runs',
  flags: runFlags,
  notes: [
    'Examples:',
    '  npm run quarry -- run --stages ingest,analyze,clip,watermarks,export --from 2020-01-01 --to 2020-12-31',
    '  npm run quarry -- run --stages export --format parquet,csv --detach',
    `Thresholds: ${Object.entries(DEFAULT_THRESHOLDS).map(([k, v]) => `${k}=${v}`).join(', ')}.`,
  ],
};

const MODES = ['list', 'status', 'cancel', 'resume', 'retry-failed'] as const;

/** Checks what no single flag can: one mode at a time, and a valid run request when starting one. */
function plan(o: Values<typeof runFlags>): RunInput | null {
  const modes = MODES.filter((m) => o[m]);
  if (modes.length > 1) throw new UsageError(`give only one of ${modes.map((m) => `--${m}`).join(', ')}`);
  if (modes.length) return null;
  if (!o.stages) throw new UsageError(`--stages is required to start a run: a comma-separated list of ${STAGE_CATALOG.map((s) => s.name).join(', ')} (or use --list, --status ID, …)`);
  const input: RunInput = {
    stages: o.stages, from: o.from, to: o.to, licenses: o.licenses, limit: o.limit, batchSize: o['batch-size'],
    thresholds: o.thresholds ?? {}, exportFormats: o.format,
  };
  const checked = runInputSchema.safeParse(input);
  if (!checked.success) {
    const i = checked.error.issues[0];
    const names: Record<string, string> = { batchSize: 'batch-size', exportFormats: 'format' };
    const [field, ...rest] = i.path.map(String);
    throw new UsageError(`${field ? `--${names[field] ?? field}${rest.length ? ` ${rest.join('.')}` : ''} ` : ''}${i.message.replace(/\bfrom\b/, '--from')}`);
  }
  return input;
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
  const flags = parseFlags(runFlags, args).values;
  const input = plan(flags);
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
    const repaired = await repairStaleExports();
    if (repaired) console.error(`${repaired} export(s) left running by a stopped process marked failed`);
    const control = { registry };
    let id: string;
    if (flags.list) {
      for (const r of (await listRuns({ page: 1, pageSize: 20 })).data) console.log(describeRun(r).join('\n'));
      return;
    }
    if (flags.status) {
      const r = await getRun(flags.status);
      console.log(r ? describeRun(r).join('\n') : `Run ${flags.status} not found`);
      return;
    }
    if (flags.cancel) {
      await cancelRun(flags.cancel, control);
      console.log(`Run ${flags.cancel} cancelled: running batches finish, no new ones start.`);
      return;
    }
    if (flags.resume) await resumeRun((id = flags.resume), control);
    else if (flags['retry-failed']) await retryFailed((id = flags['retry-failed']), control);
    else {
      const created = await createRun(input!, null, { registry, defaults: { licenses: env.FLICKR_LICENSES.map(Number) } });
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
