// `npm start` / `npm run dev`: start the database (embedded unless DATABASE_URL), migrate, serve the app.
import { disconnectDb } from '../../../lib/db.ts';
import { dataDir, env } from '../../../lib/env.ts';
import { ensureDatabase } from '../../../lib/server/database.ts';
import { appUrl, authUrlEnv, ensureAuthSecret, ensureBuilt, serveApp } from '../serveApp.ts';
import { flag, parseFlags, type CommandSpec } from '../flags.ts';

const flags = {
  dev: flag.switch('run Next.js in development mode (no build needed, slower)'),
  port: flag.int('port the app listens on', {
    min: 1,
    max: 65535,
    default: () => env.PORT,
    defaultText: 'PORT, 3000',
  }),
};

export const spec: CommandSpec = {
  name: 'serve',
  summary: 'start the database (embedded unless DATABASE_URL), migrate it and serve the app (`npm start`)',
  flags,
};

export async function run(args: string[]): Promise<void> {
  const opts = parseFlags(flags, args).values;
  if (!opts.dev) ensureBuilt((m) => console.error(m));
  const database = await ensureDatabase({ dataDir: dataDir(), log: (m) => console.error(m) });
  const secret = await ensureAuthSecret(dataDir());
  const code = await serveApp({
    dev: opts.dev,
    port: opts.port,
    host: env.HOST,
    env: { DATABASE_URL: database.url, AUTH_SECRET: secret, ...authUrlEnv() },
    onReady: () => console.error(`Quarry is running on ${appUrl(env.HOST, opts.port)}`),
    onStop: async () => {
      await disconnectDb();
      await database.stop();
    },
  });
  process.exit(code);
}
