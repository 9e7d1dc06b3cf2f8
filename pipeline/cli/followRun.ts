// How every pipeline command works: create (or resume) a run, run its batches with an in-process worker unless
// workers are connected, and redraw the run's progress (one line per stage) until it ends. `quarry run` and the
// stage commands (ingest, analyze, clip, watermarks, export) all come through here, so there is one driver.
import { disconnectDb } from '../../lib/db.ts';
import { dataDir, settings, thresholdDefaults } from '../../lib/settings.ts';
import { repairStaleExports } from '../../lib/queries/exports.ts';
import { countWorkerConnections, getRun, type RunView } from '../../lib/queries/runs.ts';
import { ensureDatabase } from '../../lib/server/database.ts';
import { stopBoss, WORKER_APP_NAME } from '../runs/boss.ts';
import { localRunInputSchema, type RunInput } from '../runs/config.ts';
import { createRun, type ControlOptions } from '../runs/control.ts';
import { describeRun } from '../runs/describe.ts';
import { closeRunsPool } from '../runs/pool.ts';
import { defaultRegistry } from '../runs/stages/index.ts';
import { startWorker, type Worker } from '../worker.ts';
import { UsageError } from './flags.ts';

export const ended = (r: RunView) =>
  r.status === 'completed' || r.status === 'failed' || r.status === 'cancelled';

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

export type Session = { control: ControlOptions };

/** A run request built from flags, validated as createRun will: the first problem as a one-line usage error naming its flag. */
export function checkInput(input: RunInput, flagNames: Record<string, string> = {}): RunInput {
  const checked = localRunInputSchema.safeParse(input);
  if (!checked.success) {
    const i = checked.error.issues[0];
    const [field, ...rest] = i.path.map(String);
    throw new UsageError(
      `${field ? `--${flagNames[field] ?? field}${rest.length ? ` ${rest.join('.')}` : ''} ` : ''}${i.message.replace(/\bfrom\b/, '--from')}`,
    );
  }
  // The settings give what the request leaves out: an uncertain threshold must not end above its fail.
  const t = { ...thresholdDefaults(), ...checked.data.thresholds };
  for (const [u, fl] of [
    ['clipNonphotoUncertain', 'clipNonphotoFail'],
    ['clipNonwholesomeUncertain', 'clipNonwholesomeFail'],
    ['watermarkUncertain', 'watermarkFail'],
  ] as const) {
    if (t[u] > t[fl]) throw new UsageError(`threshold ${u} (${t[u]}) must not exceed ${fl} (${t[fl]})`);
  }
  return input;
}

/** Starts a run of `input` and follows it to its end (the stage commands' whole work). */
export function startRun(input: RunInput, o: Parameters<typeof driveRun>[1] = {}) {
  return driveRun(async ({ control }) => {
    const created = await createRun(input, null, control);
    console.error(`Run ${created.id} started: ${created.config.stages.join(' → ')}`);
    return created.id;
  }, o);
}

/**
 * Starts the database, lets `act` create or resume a run (it returns the run id, or null when there is nothing to
 * follow), then follows the run until it ends (unless `detach`: its id is printed) and returns it; the exit code
 * says whether it completed. `after` reports on the ended run while the database is still up. Ctrl-C stops this
 * process's worker; the run goes on with other workers or is resumed later.
 */
export async function driveRun(
  act: (s: Session) => Promise<string | null>,
  o: { detach?: boolean; after?: (r: RunView) => Promise<void> } = {},
): Promise<RunView | null> {
  const database = await ensureDatabase({ dataDir: dataDir(), log: (m) => console.error(m) });
  const registry = defaultRegistry();
  let worker: Worker | null = null;
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    console.error(
      '\nStopping; the run goes on with other workers, or resume it later with `quarry run --resume ID`.',
    );
    void (worker?.stop() ?? Promise.resolve()).finally(async () => {
      await database.stop();
      process.exit(130);
    });
  };
  process.once('SIGINT', onSignal);
  try {
    const repaired = await repairStaleExports();
    if (repaired) console.error(`${repaired} export(s) left running by a stopped process marked failed`);
    const id = await act({ control: { registry, local: true } });
    if (!id) return null;
    if (o.detach) {
      console.log(id);
      return null;
    }
    const workers = await countWorkerConnections(WORKER_APP_NAME);
    if (workers === 0)
      worker = await startWorker({ concurrency: settings.WORKER_CONCURRENCY, registry, log: () => {} });
    else console.error(`${workers} worker connection(s) found: they run the batches.`);
    const r = await follow(id);
    if (!interrupted) process.exitCode = r.status === 'completed' ? 0 : 1;
    await o.after?.(r);
    return r;
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
