// `npm run quarry -- simulator [--universe demo] [--photos 3000] [--port 4010]`: run the Flickr simulator standalone.
import { flag, parseFlags, type CommandSpec } from '../flags.ts';
import { startFlickrSimulator } from '../../devkit/simulator/server.ts';
import { generateUniverse, writeGroundTruth } from '../../devkit/universe/generate.ts';

const rate = (description: string) => flag.number(description, { min: 0, max: 1 });
const flags = {
  universe: flag.string('seed of the generated universe', { value: 'SEED', default: 'demo' }),
  photos: flag.int('photos in the universe', { min: 1, max: 1_000_000, default: 3000 }),
  accounts: flag.int('accounts in the universe', { min: 1, defaultText: 'one per 10 photos' }),
  port: flag.port('port to listen on (0: any free port)', { min: 0, fetched: true, default: 4010 }),
  'api-key': flag.string('API key the simulator requires', {
    value: 'KEY',
    defaultText: 'any non-empty key',
  }),
  'result-cap': flag.int('search results Flickr returns per query at most', { min: 1, default: 4000 }),
  'ground-truth': flag.string('write the ground truth (planted faults per photo) to this file', {
    value: 'FILE',
  }),
  'error-rate': rate('share of API calls answered with an error'),
  'rate-429': rate('share of API calls answered 429 Too Many Requests'),
  'truncate-rate': rate('share of API answers cut short'),
  'image-truncate-rate': rate('share of image downloads cut short'),
  'image-error-rate': rate('share of image downloads answered with an error'),
  'delay-ms': flag.int('delay added to every answer, in milliseconds', { min: 0 }),
};

export const spec: CommandSpec = {
  name: 'simulator',
  summary: 'run the Flickr simulator (API and image server over a generated universe) on its own',
  flags,
};

export async function run(args: string[]): Promise<void> {
  const o = parseFlags(flags, args).values;
  const universe = generateUniverse({ seed: o.universe, photos: o.photos, accounts: o.accounts });
  if (o['ground-truth'])
    console.error(`Ground truth written to ${await writeGroundTruth(universe, o['ground-truth'])}`);
  const sim = await startFlickrSimulator({
    universe,
    port: o.port,
    apiKey: o['api-key'],
    resultCap: o['result-cap'],
    faults: {
      errorRate: o['error-rate'],
      rate429: o['rate-429'],
      truncateRate: o['truncate-rate'],
      imageTruncateRate: o['image-truncate-rate'],
      imageErrorRate: o['image-error-rate'],
      delayMs: o['delay-ms'],
    },
  });
  console.error(
    `Flickr simulator: ${universe.photos.length} photos, ${universe.accounts.length} accounts (universe "${o.universe}")`,
  );
  console.error(`  FLICKR_API_BASE=${sim.apiBase}`);
  console.error(`  IMAGE_HOSTS=${sim.imageHost}`);
  console.error(
    `  faults: POST ${sim.url}/__sim/faults {"errorRate":0.2}; stats: GET ${sim.url}/__sim/stats. Ctrl-C to stop.`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sim.close();
}
