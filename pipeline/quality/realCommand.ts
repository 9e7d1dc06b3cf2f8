// `quality --real`: scores duplicate detection on the real-photo set and prints recall per variant kind and precision, per set.
import { z } from 'zod';
import { evaluateRealSet, formatRealReport, meetsTargets } from './realDedup.ts';

const realFlags = z.object({
  real: z.literal(true),
  set: z.enum(['tuning', 'confirmation']).optional(),
  'per-package': z.coerce.number().int().min(1).max(1000).optional(),
  'cache-dir': z.string().min(1).optional(),
  verbose: z.literal(true).optional(),
}).strict();

/** Needs no database: the photos go through the fetch stage's processing and the duplicate step's search in memory. */
export async function runRealQuality(raw: Record<string, string | true>): Promise<void> {
  const parsed = realFlags.safeParse(raw);
  if (!parsed.success) throw new Error(`quality --real: ${parsed.error.issues.map((i) => `${i.path.join('.') || 'flags'}: ${i.message}`).join('; ')}`);
  const f = parsed.data;
  const reports = await evaluateRealSet({
    cacheDir: f['cache-dir'], sets: f.set ? [f.set] : undefined, perPackage: f['per-package'],
    onProgress: (set, done, total) => process.stderr.write(`\r${set}: ${done}/${total} source photos`),
  });
  process.stderr.write('\n');
  console.log(formatRealReport(reports, f.verbose));
  const failed = reports.flatMap(meetsTargets);
  console.log(failed.length ? `targets NOT met: ${failed.join('; ')}` : 'targets met: recall ≥ 0.95 for crops ≤ 10 %, 100 % for exact/resize/re-encode, precision ≥ 0.99');
  if (failed.length) process.exitCode = 1;
}
