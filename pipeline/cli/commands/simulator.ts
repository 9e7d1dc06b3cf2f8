// `npm run quarry -- simulator [--universe demo] [--photos 3000] [--port 4010]`: run the Flickr simulator standalone.
import { z } from 'zod';
import { startFlickrSimulator } from '../../simulator/server.ts';
import { generateUniverse, writeGroundTruth } from '../../universe/generate.ts';
import { parseArgs } from '../withDatabase.ts';

const rate = z.coerce.number().min(0).max(1).optional();
const options = z.object({
  universe: z.string().min(1).default('demo'),
  photos: z.coerce.number().int().min(1).max(1_000_000).default(3000),
  accounts: z.coerce.number().int().min(1).optional(),
  port: z.coerce.number().int().min(0).max(65535).default(4010),
  'api-key': z.string().optional(),
  'result-cap': z.coerce.number().int().min(1).default(4000),
  'ground-truth': z.string().optional(),
  'error-rate': rate,
  'rate-429': rate,
  'truncate-rate': rate,
  'image-truncate-rate': rate,
  'image-error-rate': rate,
  'delay-ms': z.coerce.number().int().min(0).optional(),
});

export async function run(args: string[]): Promise<void> {
  const parsed = options.safeParse(parseArgs(args).flags);
  if (!parsed.success) throw new Error(`simulator: ${parsed.error.issues.map((i) => `--${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const o = parsed.data;
  const universe = generateUniverse({ seed: o.universe, photos: o.photos, accounts: o.accounts });
  if (o['ground-truth']) console.error(`Ground truth written to ${await writeGroundTruth(universe, o['ground-truth'])}`);
  const sim = await startFlickrSimulator({
    universe, port: o.port, apiKey: o['api-key'], resultCap: o['result-cap'],
    faults: {
      errorRate: o['error-rate'], rate429: o['rate-429'], truncateRate: o['truncate-rate'],
      imageTruncateRate: o['image-truncate-rate'], imageErrorRate: o['image-error-rate'], delayMs: o['delay-ms'],
    },
  });
  console.error(`Flickr simulator: ${universe.photos.length} photos, ${universe.accounts.length} accounts (universe "${o.universe}")`);
  console.error(`  FLICKR_API_BASE=${sim.apiBase}`);
  console.error(`  IMAGE_HOSTS=${sim.imageHost}`);
  console.error(`  faults: POST ${sim.url}/__sim/faults {"errorRate":0.2}; stats: GET ${sim.url}/__sim/stats. Ctrl-C to stop.`);
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await sim.close();
}
