// `npm run quarry -- analyze [--limit N] [--checks fetch,resolution,exif,text,duplicates]`: image fetch and photo checks,
// as a run of the analyze stage (the same as `quarry run --stages analyze` and the Runs page); resumable.
import { settings } from '../../../lib/settings.ts';
import { ALL_STEPS, parseSteps } from '../../analyze/checkNames.ts';
import { flag, parseFlags, type CommandSpec } from '../flags.ts';
import { checkInput, startRun } from '../followRun.ts';

const flags = {
  limit: flag.int('analyze at most N photos', { min: 1, max: 100_000_000 }),
  checks: flag.list('steps to run (duplicates also fetches)', ALL_STEPS, {
    defaultText: ALL_STEPS.join(','),
  }),
  concurrency: flag.int("image downloads in flight in this process's worker", {
    min: 1,
    max: 256,
    defaultText: 'FETCH_CONCURRENCY, 16',
  }),
  'min-resolution': flag.int("pixels a photo's shorter side needs; below it the photo fails", {
    min: 1,
    max: 100_000,
    defaultText: 'MIN_RESOLUTION, 256',
  }),
  'regroup-duplicates': flag.switch(
    'recompute the duplicate clusters even when every photo has a current result',
  ),
  detach: flag.switch("print the run id and return; workers (the app's or `npm run worker`) run it"),
};

export const spec: CommandSpec = {
  name: 'analyze',
  summary: 'fetch images and run the photo checks (resolution, EXIF, copyright text, duplicates); resumable',
  flags,
  notes: [
    'Runs as a pipeline run of the analyze stage; FETCH_CONCURRENCY and the other settings come from the environment.',
  ],
};

export async function run(args: string[]): Promise<void> {
  const o = parseFlags(flags, args).values;
  // A setting of this process (its in-process worker), as FETCH_CONCURRENCY would be; not part of the run.
  if (o.concurrency) settings.FETCH_CONCURRENCY = o.concurrency;
  const checks = parseSteps(o.checks?.join(','));
  const thresholds = o['min-resolution'] === undefined ? {} : { minResolution: o['min-resolution'] };
  const input = checkInput({
    stages: ['analyze'],
    limit: o.limit,
    checks,
    thresholds,
    regroupDuplicates: o['regroup-duplicates'] || undefined,
  });
  await startRun(input, { detach: o.detach });
}
