// The Flickr simulator and its small universe for the runs and export specs; it lives as long as the e2e server.
import { startFlickrSimulator } from '../../pipeline/devkit/simulator/server.ts';
import { generateUniverse } from '../../pipeline/devkit/universe/generate.ts';

/** The specs start runs over this range: it holds only the simulator's photos, none of the review seed's (2012–2019). */
export const E2E_RUN_RANGE = { from: '2022-01-01', to: '2022-12-31' } as const;
export const E2E_FLICKR_KEY = 'e2e-flickr-key';

export async function seedRunsData(_opts: { dataDir: string }): Promise<Record<string, string>> {
  const universe = generateUniverse({
    seed: 'e2e-runs',
    photos: 48,
    accounts: 4,
    start: new Date('2022-01-01T00:00:00Z'),
    end: new Date('2022-12-01T00:00:00Z'),
  });
  const sim = await startFlickrSimulator({ universe, apiKey: E2E_FLICKR_KEY });
  process.once('exit', () => {
    void sim.close();
  });
  return {
    FLICKR_API_BASE: sim.apiBase,
    FLICKR_API_KEY: E2E_FLICKR_KEY,
    IMAGE_HOSTS: sim.imageHost,
    RUN_POLL_SECONDS: '0.5',
  };
}
