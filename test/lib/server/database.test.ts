// Both ways Quarry finds its database: the embedded default and DATABASE_URL pointing at another server.
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { ensureDatabase } from '../../../lib/server/database.ts';
import { startSystemPostgres } from '../../helpers/systemPostgres.ts';

async function query(url: string, sql: string, params: unknown[] = []) {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(sql, params)).rows;
  } finally {
    await c.end();
  }
}

const saved = process.env.DATABASE_URL;
afterEach(() => {
  if (saved === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = saved;
});

describe('database resolution', () => {
  it('without DATABASE_URL creates, migrates and reuses its own PostgreSQL under the data dir', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'quarry-embedded-'));
    delete process.env.DATABASE_URL;
    try {
      const first = await ensureDatabase({ dataDir });
      expect(first.embedded).toBe(true);
      expect(existsSync(path.join(dataDir, 'postgres', 'PG_VERSION'))).toBe(true);
      await query(
        first.url,
        `INSERT INTO users (id, email, name, password_hash, updated_at) VALUES ('u1', 'a@b.c', 'A', 'x', now())`,
      );

      // A second process (the CLI while the app runs) connects to the running server instead of starting another.
      delete process.env.DATABASE_URL;
      const second = await ensureDatabase({ dataDir });
      expect(new URL(second.url).port).toBe(new URL(first.url).port);
      await second.stop();
      expect(await query(first.url, 'SELECT email FROM users')).toEqual([{ email: 'a@b.c' }]);
      await first.stop();

      // Restarted later, the data is still there.
      delete process.env.DATABASE_URL;
      const third = await ensureDatabase({ dataDir });
      expect(await query(third.url, 'SELECT email FROM users')).toEqual([{ email: 'a@b.c' }]);
      await third.stop();
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });

  it('with DATABASE_URL uses that server, migrates it, and starts nothing of its own', async () => {
    const server = await startSystemPostgres();
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'quarry-shared-'));
    try {
      process.env.DATABASE_URL = server.url;
      const handle = await ensureDatabase({ dataDir });
      expect(handle.embedded).toBe(false);
      expect(handle.url).toBe(server.url);
      expect(existsSync(path.join(dataDir, 'postgres'))).toBe(false);
      const tables = await query(
        server.url,
        `SELECT count(*)::int AS n FROM information_schema.tables WHERE table_schema = 'public' AND table_name = 'photos'`,
      );
      expect(tables[0].n).toBe(1);
      await handle.stop();
      // The shared server is still up after Quarry stops.
      expect((await query(server.url, 'SELECT 1 AS ok'))[0].ok).toBe(1);
    } finally {
      await server.stop();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
