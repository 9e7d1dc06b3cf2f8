// `npm run quarry -- ingest [--from DATE] [--to DATE] [--licenses 7,8,9,10]`: crawl Flickr search into the database.
import { z } from 'zod';
import { calendarDay } from '../../../lib/calendarDay.ts';
import { env } from '../../../lib/env.ts';
import { createFlickrClient } from '../../flickr/client.ts';
import { runIngest } from '../../ingest/crawl.ts';
import { createProgress } from '../progress.ts';
import { parseArgs, withDatabase } from '../withDatabase.ts';

const day = calendarDay;
const today = () => new Date().toISOString().slice(0, 10);

const options = z.object({
  from: day.default('2004-01-01'),
  // Today by default; a crawl resumes only with the same range, so pass --to for crawls spanning days.
  to: day.default(today),
  licenses: z.string().regex(/^\d+(,\d+)*$/, 'expected ids like 7,8,9,10').optional(),
  cap: z.coerce.number().int().min(1).max(4000).default(3000),
  'min-window': z.coerce.number().int().min(1).default(60),
  'per-page': z.coerce.number().int().min(1).max(500).default(500),
});

export async function run(args: string[]): Promise<void> {
  const parsed = options.safeParse(parseArgs(args).flags);
  if (!parsed.success) throw new Error(`ingest: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const o = parsed.data;
  const licenses = (o.licenses?.split(',') ?? env.FLICKR_LICENSES).map(Number);
  const from = Date.parse(`${o.from}T00:00:00Z`) / 1000;
  const to = Date.parse(`${o.to}T23:59:59Z`) / 1000;
  const client = createFlickrClient({ apiKey: env.FLICKR_API_KEY ?? '', apiBase: env.FLICKR_API_BASE, ratePerHour: env.FLICKR_RATE_LIMIT });
  console.error(`Crawling licenses ${licenses.join(',')} uploaded ${o.from} .. ${o.to} from ${env.FLICKR_API_BASE} at ≤ ${env.FLICKR_RATE_LIMIT} requests/h`);
  console.error(`Interrupted? Run the same command with --from ${o.from} --to ${o.to} --licenses ${licenses.join(',')} to resume.`);

  const abort = new AbortController();
  const progress = createProgress('ingest', 'windows');
  const summary = await withDatabase(() => runIngest(
    { licenses, from, to, cap: o.cap, minWindowSeconds: o['min-window'], perPage: o['per-page'] },
    {
      client,
      signal: abort.signal,
      onProgress: (p) => progress.update({
        done: p.windowsDone, total: p.windowsTotal,
        extra: `${p.photosStored.toLocaleString('en-US')} photos stored · ${(p.requests / Math.max(1, p.elapsedMs / 1000)).toFixed(2)} req/s`,
      }),
    },
  ));
  progress.done({ done: summary.windowsDone, total: summary.windowsTotal, extra: `${summary.photosStored.toLocaleString('en-US')} photos stored` });
  for (const e of summary.errors) console.error(`window ${e.window.minUpload}..${e.window.maxUpload}: ${e.message} (${e.request?.method ?? ''} ${JSON.stringify(e.request?.params ?? {})})`);
  if (summary.skipped.length) console.error(`${summary.skipped.length} photos skipped, e.g. ${summary.skipped[0].id}: ${summary.skipped[0].reason}`);
  console.log(JSON.stringify({ crawlKey: summary.crawlKey, complete: summary.complete, windowsDone: summary.windowsDone, windowsTotal: summary.windowsTotal, photosStored: summary.photosStored, requests: summary.requests, errors: summary.errors.length }));
  if (!summary.complete) process.exitCode = 1;
}
