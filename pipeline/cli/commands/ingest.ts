// `npm run quarry -- ingest [--from DATE] [--to DATE] [--licenses 7,8,9,10]`: crawl Flickr search into the database,
// as a run of the ingest stage (the same as `quarry run --stages ingest` and the Runs page); resumable.
import { settings } from '../../../lib/settings.ts';
import { flag, parseFlags, UsageError, type CommandSpec } from '../flags.ts';
import { checkInput, startRun } from '../followRun.ts';

const today = () => new Date().toISOString().slice(0, 10);

const flags = {
  from: flag.date('first upload day to crawl (UTC)', { default: '2004-01-01' }),
  // Today by default; a crawl resumes only with the same range, so pass --to for crawls spanning days.
  to: flag.date(
    'last upload day to crawl (UTC); give it explicitly for crawls spanning days, so a rerun resumes',
    { default: today, defaultText: 'today' },
  ),
  licenses: flag.intList('Flickr license ids to crawl', {
    min: 0,
    max: 10,
    defaultText: 'FLICKR_LICENSES, 7,8,9,10',
  }),
  cap: flag.int('results per search window before it is split (Flickr returns at most 4000)', {
    min: 1,
    max: 4000,
    defaultText: '3000',
  }),
  'min-window': flag.int('smallest window in seconds; a fuller one is crawled as far as it goes', {
    min: 1,
    max: 86_400 * 365,
    defaultText: '60',
  }),
  'per-page': flag.int('results per API page', { min: 1, max: 500, defaultText: '500' }),
  detach: flag.switch("print the run id and return; workers (the app's or `npm run worker`) run it"),
};

export const spec: CommandSpec = {
  name: 'ingest',
  summary:
    'crawl Flickr search (FLICKR_API_BASE, FLICKR_API_KEY) for openly licensed photos into the database; resumable',
  flags,
  notes: [
    'Runs as a pipeline run of the ingest stage: see it on the Runs page, resume it with `quarry run --resume ID`.',
  ],
};

export async function run(args: string[]): Promise<void> {
  const o = parseFlags(flags, args).values;
  if (o.from > o.to) throw new UsageError(`--to ${o.to} is before --from ${o.from}`);
  const crawl = { cap: o.cap, minWindowSeconds: o['min-window'], perPage: o['per-page'] };
  const input = checkInput(
    { stages: ['ingest'], from: o.from, to: o.to, licenses: o.licenses, crawl },
    { minWindowSeconds: 'min-window', perPage: 'per-page' },
  );
  console.error(
    `Crawling licenses ${(o.licenses ?? settings.FLICKR_LICENSES).join(',')} uploaded ${o.from} .. ${o.to} from ${settings.FLICKR_API_BASE} at ≤ ${settings.FLICKR_RATE_LIMIT} requests/h`,
  );
  await startRun(input, { detach: o.detach });
}
