// `npm run quarry -- ingest [--from DATE] [--to DATE] [--licenses 7,8,9,10]`: crawl Flickr search into the database.
import { env } from '../../../lib/env.ts';
import { createFlickrClient } from '../../flickr/client.ts';
import { runIngest } from '../../ingest/crawl.ts';
import { createProgress } from '../progress.ts';
import { flag, parseFlags, UsageError, type CommandSpec } from '../flags.ts';
import { withDatabase } from '../withDatabase.ts';

const today = () => new Date().toISOString().slice(0, 10);

const flags = {
  from: flag.date('first upload day to crawl (UTC)', { default: '2004-01-01' }),
  // Today by default; a crawl resumes only with the same range, so pass --to for crawls spanning days.
  to: flag.date('last upload day to crawl (UTC); give it explicitly for crawls spanning days, so a rerun resumes', { default: today, defaultText: 'today' }),
  licenses: flag.intList('Flickr license ids to crawl', { min: 0, max: 10, defaultText: 'FLICKR_LICENSES, 7,8,9,10' }),
  cap: flag.int('results per search window before it is split (Flickr returns at most 4000)', { min: 1, max: 4000, default: 3000 }),
  'min-window': flag.int('smallest window in seconds; a fuller one is crawled as far as it goes', { min: 1, default: 60 }),
  'per-page': flag.int('results per API page', { min: 1, max: 500, default: 500 }),
};

export const spec: CommandSpec = {
  name: 'ingest',
  summary: 'crawl Flickr search (FLICKR_API_BASE, FLICKR_API_KEY) for openly licensed photos into the database; resumable',
  flags,
};

export async function run(args: string[]): Promise<void> {
  const o = parseFlags(flags, args).values;
  if (o.from > o.to) throw new UsageError(`--to ${o.to} is before --from ${o.from}`);
  const licenses = o.licenses ?? env.FLICKR_LICENSES.map(Number);
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
