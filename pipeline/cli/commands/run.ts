// `npm run quarry -- run --stages ingest,analyze,clip,watermarks,export [--from D --to D --licenses 9,10 --limit N
//   --batch-size N --format parquet,jsonl --thresholds minResolution=512,watermarkFail=0.6] [--detach]`
// starts a pipeline run (the same as the Runs page), runs it with an in-process worker unless workers are connected,
// and prints its progress until it ends. Also: --list, --status ID, --cancel ID, --resume ID, --retry-failed ID.
import { thresholdDefaults } from '../../../lib/settings.ts';
import { getRun, listRuns } from '../../../lib/queries/runs.ts';
import { EXPORT_FORMATS, THRESHOLD_NAMES, thresholdsSchema, type RunInput } from '../../runs/config.ts';
import { cancelRun, resumeRun, retryFailed } from '../../runs/control.ts';
import { describeRun } from '../../runs/describe.ts';
import { STAGE_CATALOG } from '../../runs/stages/catalog.ts';
import { checkInput, driveRun, startRun } from '../followRun.ts';
import { flag, parseFlags, UsageError, type CommandSpec, type Values } from '../flags.ts';

/** `minResolution=512,watermarkFail=0.6` → thresholds, each name known and each value in its range. */
function parseThresholds(raw: string): Record<string, number> | undefined {
  const out: Record<string, number> = {};
  for (const pair of raw
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [k, v, extra] = pair.split('=');
    if (
      extra !== undefined ||
      !(THRESHOLD_NAMES as string[]).includes(k) ||
      v === undefined ||
      v.trim() === '' ||
      !Number.isFinite(Number(v))
    )
      return undefined;
    out[k] = Number(v);
  }
  return Object.keys(out).length && thresholdsSchema.safeParse(out).success ? out : undefined;
}

const runId = (description: string) =>
  flag.string(description, { value: 'ID', expects: 'a run id (see --list)' });

const runFlags = {
  stages: flag.list(
    'stages to run, in pipeline order',
    STAGE_CATALOG.map((s) => s.name),
  ),
  from: flag.date('first upload day (UTC) the run covers', { defaultText: '2004-01-01' }),
  to: flag.date('last upload day (UTC) the run covers', { defaultText: 'today' }),
  licenses: flag.intList('Flickr license ids', { min: 0, max: 10, defaultText: 'FLICKR_LICENSES, 7,8,9,10' }),
  limit: flag.int('at most N items per stage (photos, accounts, windows)', { min: 1, max: 100_000_000 }),
  'batch-size': flag.int('items per batch', { min: 1, max: 10_000, defaultText: 'per stage' }),
  format: flag.list('export formats', EXPORT_FORMATS, { defaultText: 'parquet' }),
  thresholds: flag.of(
    'thresholds to override, NAME=VALUE pairs',
    'NAME=X,…',
    `comma-separated NAME=VALUE pairs, names among ${THRESHOLD_NAMES.join(', ')}, values in range`,
    parseThresholds,
  ),
  detach: flag.switch("print the run id and return; workers (the app's or `npm run worker`) run it"),
  list: flag.switch('list the latest 20 runs'),
  status: runId('show one run'),
  cancel: runId('cancel a run: running batches finish, no new ones start'),
  resume: runId('resume a cancelled or failed run'),
  'retry-failed': runId('retry the failed batches of a run'),
};

export const spec: CommandSpec = {
  name: 'run',
  summary:
    'start a pipeline run (as the Runs page does) and follow it, or list, show, cancel, resume and retry runs',
  flags: runFlags,
  notes: [
    'Examples:',
    '  npm run quarry -- run --stages ingest,analyze,clip,watermarks,export --from 2020-01-01 --to 2020-12-31',
    '  npm run quarry -- run --stages export --format parquet,csv --detach',
    `Thresholds, with the defaults this environment gives them (MIN_RESOLUTION, NEAR_DUPLICATE_DISTANCE, CLIP_*, WATERMARK_*): ${Object.entries(
      thresholdDefaults(),
    )
      .map(([k, v]) => `${k}=${v}`)
      .join(', ')}.`,
  ],
};

const MODES = ['list', 'status', 'cancel', 'resume', 'retry-failed'] as const;

/** Checks what no single flag can: one mode at a time, and a valid run request when starting one. */
function plan(o: Values<typeof runFlags>): RunInput | null {
  const modes = MODES.filter((m) => o[m]);
  if (modes.length > 1) throw new UsageError(`give only one of ${modes.map((m) => `--${m}`).join(', ')}`);
  if (modes.length) return null;
  if (!o.stages)
    throw new UsageError(
      `--stages is required to start a run: a comma-separated list of ${STAGE_CATALOG.map((s) => s.name).join(', ')} (or use --list, --status ID, …)`,
    );
  const input: RunInput = {
    stages: o.stages,
    from: o.from,
    to: o.to,
    licenses: o.licenses,
    limit: o.limit,
    batchSize: o['batch-size'],
    thresholds: o.thresholds ?? {},
    exportFormats: o.format,
  };
  return checkInput(input, { batchSize: 'batch-size', exportFormats: 'format' });
}

export async function run(args: string[]): Promise<void> {
  const flags = parseFlags(runFlags, args).values;
  const input = plan(flags);
  if (input) {
    await startRun(input, { detach: flags.detach });
    return;
  }
  await driveRun(
    async ({ control }) => {
      if (flags.list) {
        for (const r of (await listRuns({ page: 1, pageSize: 20 })).data)
          console.log(describeRun(r).join('\n'));
        return null;
      }
      if (flags.status) {
        const r = await getRun(flags.status);
        console.log(r ? describeRun(r).join('\n') : `Run ${flags.status} not found`);
        return null;
      }
      if (flags.cancel) {
        await cancelRun(flags.cancel, control);
        console.log(`Run ${flags.cancel} cancelled: running batches finish, no new ones start.`);
        return null;
      }
      if (flags.resume) {
        await resumeRun(flags.resume, control);
        return flags.resume;
      }
      await retryFailed(flags['retry-failed']!, control);
      return flags['retry-failed']!;
    },
    { detach: flags.detach },
  );
}
