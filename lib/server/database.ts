// Resolves the database for this process: DATABASE_URL if set, else the embedded server; migrates it.
import { startEmbeddedPostgres, type EmbeddedServer } from './embeddedPostgres.ts';
import { migrate } from './migrate.ts';

export type DatabaseHandle = { url: string; embedded: boolean; stop: () => Promise<void> };

/**
 * `keepAlive` (default on): the embedded server is restarted when it dies, so a long-running app or worker
 * recovers from a killed postmaster on its own (requests fail only while it is down).
 */
export async function ensureDatabase(opts: {
  dataDir: string;
  log?: (m: string) => void;
  keepAlive?: boolean;
}): Promise<DatabaseHandle> {
  const log = opts.log ?? (() => {});
  let server: EmbeddedServer | null = null;
  let url = process.env.DATABASE_URL;
  if (!url) {
    server = await startEmbeddedPostgres({ dataDir: opts.dataDir, log, keepAlive: opts.keepAlive ?? true });
    url = server.url;
    process.env.DATABASE_URL = url;
  }
  try {
    await migrate(url, { log });
  } catch (e) {
    await server?.stop();
    throw e;
  }
  return {
    url,
    embedded: server !== null,
    stop: async () => {
      await server?.stop();
    },
  };
}
