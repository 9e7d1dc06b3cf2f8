// Resolves the database for this process: DATABASE_URL if set, else the embedded server; migrates it.
import { startEmbeddedPostgres, type EmbeddedServer } from './embeddedPostgres.ts';
import { migrate } from './migrate.ts';

export type DatabaseHandle = { url: string; embedded: boolean; stop: () => Promise<void> };

export async function ensureDatabase(opts: { dataDir: string; log?: (m: string) => void }): Promise<DatabaseHandle> {
  const log = opts.log ?? (() => {});
  let server: EmbeddedServer | null = null;
  let url = process.env.DATABASE_URL;
  if (!url) {
    server = await startEmbeddedPostgres({ dataDir: opts.dataDir, log });
    url = server.url;
    process.env.DATABASE_URL = url;
  }
  try {
    await migrate(url, { log });
  } catch (e) {
    await server?.stop();
    throw e;
  }
  return { url, embedded: server !== null, stop: async () => { await server?.stop(); } };
}
