// `npm run demo`: embedded database, demo logins, a synthetic Flickr, a crawl of it, the pipeline, the app.
import { disconnectDb } from '../../../lib/db.ts';
import { dataDir, env, refreshEnv } from '../../../lib/env.ts';
import { ensureDatabase } from '../../../lib/server/database.ts';
import { startDemoFlickr, demoEnv } from '../../devkit/demo/demoUniverse.ts';
import { seedDemoGoldAfterRun } from '../../devkit/demo/seedGold.ts';
import { DEMO_ADMIN_EMAIL, seedDemoUsers } from '../../devkit/demo/seedUsers.ts';
import { demoClipModelDir, queueDemoRunOnce } from '../../devkit/demo/demoRun.ts';
import { appUrl, authUrlEnv, ensureAuthSecret, ensureBuilt, serveApp } from '../serveApp.ts';
import { flag, parseFlags, type CommandSpec } from '../flags.ts';

const flags = {
  port: flag.port('port the app listens on', {
    default: () => env.PORT,
    defaultText: 'PORT, 3000',
  }),
  'simulator-port': flag.port('port of the demo Flickr simulator', {
    fetched: true,
    default: () => Number(process.env.DEMO_SIMULATOR_PORT ?? 4010),
    defaultText: 'DEMO_SIMULATOR_PORT, 4010',
  }),
  photos: flag.int('photos in the generated demo universe', { min: 100, max: 100_000, default: 3000 }),
};

export const spec: CommandSpec = {
  name: 'demo',
  summary:
    'start everything with generated data: database, demo logins, a Flickr simulator, a pipeline run and the app',
  flags,
};

export async function run(args: string[]): Promise<void> {
  const opts = parseFlags(flags, args).values;
  const dir = dataDir();
  const log = (m: string) => console.error(m);
  ensureBuilt(log);
  const database = await ensureDatabase({ dataDir: dir, log });
  const flickr = await startDemoFlickr({ dataDir: dir, port: opts['simulator-port'], photos: opts.photos });
  const appEnv = demoEnv(flickr.simulator, env.IMAGE_HOSTS);
  let stopGold = () => {};
  const stopAll = async () => {
    stopGold();
    await disconnectDb();
    await flickr.simulator.close();
    await database.stop();
  };
  try {
    const logins = await seedDemoUsers(dir);
    log(
      `Demo universe: ${flickr.universe.photos.length} photos (ground truth in ${flickr.groundTruth}); Flickr simulator at ${flickr.simulator.url}`,
    );

    const clipDir = await demoClipModelDir(dir);
    // Workers (the app's own, or `npm run worker`) read the simulator's address from their environment.
    Object.assign(process.env, appEnv, { CLIP_MODEL_DIR: clipDir });
    refreshEnv();
    const runId = await queueDemoRunOnce({ from: '2010-01-01', to: '2023-12-31' });
    // Known-answer accounts and photos from the ground truth, once the run has stored the universe.
    stopGold = seedDemoGoldAfterRun({
      universe: flickr.universe,
      dataDir: dir,
      adminEmail: DEMO_ADMIN_EMAIL,
      log,
    });

    const secret = await ensureAuthSecret(dir);
    const printLogins = () => {
      // Loopback only unless HOST opens it: these logins are printed in the clear.
      console.log(
        `\nQuarry demo is running on ${appUrl(env.HOST, opts.port)}${env.HOST === '127.0.0.1' ? ' (this machine only; HOST=0.0.0.0 opens it to the network)' : ''}\n`,
      );
      for (const l of logins) console.log(`  ${l.role.padEnd(8)}  ${l.email}  password: ${l.password}`);
      if (logins.length === 0) console.log('  (demo logins were created earlier: see data/demo-logins.json)');
      if (runId)
        console.log(
          `\nThe pipeline (crawl, analyze, CLIP, watermarks, export) is running: sign in as admin and open /runs to watch it.`,
        );
      console.log('\nPress Ctrl-C to stop the app and its database.');
    };
    const code = await serveApp({
      dev: false,
      port: opts.port,
      host: env.HOST,
      env: {
        DATABASE_URL: database.url,
        AUTH_SECRET: secret,
        ...authUrlEnv(),
        ...appEnv,
        CLIP_MODEL_DIR: clipDir,
      },
      onReady: printLogins,
      onStop: stopAll,
    });
    process.exit(code);
  } catch (e) {
    await stopAll();
    throw e;
  }
}
