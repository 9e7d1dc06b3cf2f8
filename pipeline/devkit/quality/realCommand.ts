// `quality --real`: scores duplicate detection on the real-photo set and prints recall per variant kind and precision, per set.
import { evaluateRealSet, formatRealReport, meetsTargets } from './realDedup.ts';

export type RealQualityOptions = {
  set?: 'tuning' | 'confirmation';
  perPackage?: number;
  cacheDir?: string;
  verbose?: boolean;
};

/** Needs no database: the photos go through the fetch stage's processing and the duplicate step's search in memory. */
export async function runRealQuality(f: RealQualityOptions): Promise<void> {
  const reports = await evaluateRealSet({
    cacheDir: f.cacheDir,
    sets: f.set ? [f.set] : undefined,
    perPackage: f.perPackage,
    onProgress: (set, done, total) => process.stderr.write(`\r${set}: ${done}/${total} source photos`),
  });
  process.stderr.write('\n');
  console.log(formatRealReport(reports, f.verbose));
  const failed = reports.flatMap(meetsTargets);
  console.log(
    failed.length
      ? `targets NOT met: ${failed.join('; ')}`
      : 'targets met: recall ≥ 0.95 for crops ≤ 10 %, 100 % for exact/resize/re-encode, precision ≥ 0.99',
  );
  if (failed.length) process.exitCode = 1;
}
