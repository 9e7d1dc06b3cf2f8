// `npm start` / `npm run dev`: start the database (embedded unless DATABASE_URL), migrate, serve the app.
import { z } from 'zod';
import { disconnectDb } from '../../../lib/db.ts';
import { dataDir, env } from '../../../lib/env.ts';
import { ensureDatabase } from '../../../lib/server/database.ts';
import { appUrl, authUrlEnv, ensureAuthSecret, ensureBuilt, serveApp } from '../serveApp.ts';
import { parseArgs } from '../withDatabase.ts';

const argsSchema = z.object({ dev: z.boolean().default(false), port: z.coerce.number().int().min(1).max(65535).default(env.PORT) });

export async function run(args: string[]): Promise<void> {
  const { flags } = parseArgs(args);
  const opts = argsSchema.parse({ dev: flags.dev === true, port: flags.port });
  if (!opts.dev) ensureBuilt((m) => console.error(m));
  const database = await ensureDatabase({ dataDir: dataDir(), log: (m) => console.error(m) });
  const secret = await ensureAuthSecret(dataDir());
  const code = await serveApp({
    dev: opts.dev, port: opts.port, host: env.HOST,
    env: { DATABASE_URL: database.url, AUTH_SECRET: secret, ...authUrlEnv() },
    onReady: () => console.error(`Quarry is running on ${appUrl(env.HOST, opts.port)}`),
    onStop: async () => { await disconnectDb(); await database.stop(); },
  });
  process.exit(code);
}
