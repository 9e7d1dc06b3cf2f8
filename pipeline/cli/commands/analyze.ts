// `npm run quarry -- analyze [--limit N] [--checks fetch,resolution,exif,text,duplicates]`: image fetch and photo checks, resumable.
import { env } from '../../../lib/env.ts';
import { ALL_STEPS, parseSteps, type AnalyzeStep } from '../../analyze/checkNames.ts';
import { runAnalyze, type AnalyzeProgress } from '../../analyze/stage.ts';
import { flickrExifCall } from '../../checks/flickrExif.ts';
import { createFlickrClient } from '../../flickr/client.ts';
import { createProgress } from '../progress.ts';
import { flag, parseFlags, type CommandSpec } from '../flags.ts';
import { withDatabase } from '../withDatabase.ts';

const flags = {
  limit: flag.int('analyze at most N photos per step', { min: 1 }),
  checks: flag.list('steps to run (duplicates also fetches)', ALL_STEPS, { defaultText: ALL_STEPS.join(',') }),
  concurrency: flag.int('image downloads in flight', { min: 1, max: 256, defaultText: 'FETCH_CONCURRENCY, 16' }),
};

export const spec: CommandSpec = {
  name: 'analyze',
  summary: 'fetch images and run the photo checks (resolution, EXIF, copyright text, duplicates); resumable',
  flags,
};

const kinds = (f: Record<string, number>) => Object.entries(f).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${n}`).join(', ');

export async function run(args: string[]): Promise<void> {
  const opts = parseFlags(flags, args).values;
  const steps = parseSteps(opts.checks?.join(','));
  // getExif is the fallback for hidden originals; without an API key those photos are reported as unchecked.
  const getExif = env.FLICKR_API_KEY
    ? flickrExifCall(createFlickrClient({ apiKey: env.FLICKR_API_KEY, apiBase: env.FLICKR_API_BASE, ratePerHour: env.FLICKR_RATE_LIMIT }))
    : undefined;
  const bars = new Map<AnalyzeStep, ReturnType<typeof createProgress>>();
  const last = new Map<AnalyzeStep, AnalyzeProgress>();
  const onProgress = (p: AnalyzeProgress) => {
    let bar = bars.get(p.step);
    if (!bar) bars.set(p.step, (bar = createProgress(p.step, p.step === 'fetch' ? 'images' : 'photos')));
    last.set(p.step, p);
    bar.update({ done: p.done, total: p.total, failed: p.failed, extra: kinds(p.failuresByKind) });
  };
  await withDatabase(async () => {
    const report = await runAnalyze({ steps, limit: opts.limit, concurrency: opts.concurrency, getExif, onProgress });
    for (const [step, bar] of bars) {
      const p = report.steps[step] ?? last.get(step)!;
      bar.done({ done: p.done, total: p.total, failed: p.failed, extra: kinds(p.failuresByKind) });
    }
    for (const step of steps) {
      const p = report.steps[step];
      if (p && p.total === 0 && step !== 'duplicates') console.error(`${step}: nothing to do (results are current)`);
    }
    const d = report.duplicates;
    if (d) {
      console.error(d.skipped
        ? 'duplicates: nothing to do (results are current)'
        : `duplicates: ${d.photos} photos, ${d.pairs} pairs (${d.rejected} candidates rejected on pixels), ${d.clusters} clusters, ${d.duplicates} duplicates, ${d.errors} not fetched; ${d.clipNote}${d.clipPairs ? ` (${d.clipPairs} pairs)` : ''}`);
    }
  });
}
