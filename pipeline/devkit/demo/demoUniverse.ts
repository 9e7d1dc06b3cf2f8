// The demo's synthetic Flickr: a seeded universe served by the simulator on a fixed port, so the
// image URLs stored in the database stay valid across `npm run demo` restarts.
import path from 'node:path';
import { startFlickrSimulator, type FlickrSimulator } from '../simulator/server.ts';
import { generateUniverse, writeGroundTruth } from '../universe/generate.ts';
import type { Universe } from '../universe/types.ts';

export const DEMO_SEED = 'demo';
export const DEMO_PHOTOS = 3000;
export const DEMO_API_KEY = 'demo-key';

export async function startDemoFlickr(opts: {
  dataDir: string;
  port: number;
  photos?: number;
}): Promise<{ universe: Universe; simulator: FlickrSimulator; groundTruth: string }> {
  const universe = generateUniverse({ seed: DEMO_SEED, photos: opts.photos ?? DEMO_PHOTOS });
  const groundTruth = await writeGroundTruth(universe, path.join(opts.dataDir, 'demo'));
  try {
    const simulator = await startFlickrSimulator({ universe, port: opts.port, apiKey: DEMO_API_KEY });
    return { universe, simulator, groundTruth };
  } catch (e) {
    throw new Error(
      `The Flickr simulator could not listen on port ${opts.port} (${e instanceof Error ? e.message : String(e)}). ` +
        'Stop whatever uses it or set DEMO_SIMULATOR_PORT (the demo data keeps image URLs with this port).',
    );
  }
}

/** Environment the app and workers need to talk to the simulator. */
export function demoEnv(sim: FlickrSimulator, baseHosts: readonly string[]): Record<string, string> {
  return {
    FLICKR_API_BASE: sim.apiBase,
    FLICKR_API_KEY: DEMO_API_KEY,
    // The simulator is local: no need to hold the crawl to Flickr's 3,600 requests per hour.
    FLICKR_RATE_LIMIT: '360000',
    IMAGE_HOSTS: [...baseHosts, sim.imageHost].join(','),
  };
}
