// Gives a test file its own freshly migrated database in the test run's PostgreSQL.
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { afterAll, beforeAll, inject } from 'vitest';
import { disconnectDb } from '../../lib/db.ts';
import { migrate } from '../../lib/server/migrate.ts';

export function withDatabase(adminUrl: string, name: string): string {
  const u = new URL(adminUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createDatabase(adminUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return withDatabase(adminUrl, name);
}

export async function dropDatabase(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Call at the top of a test file: a new migrated database, exposed as process.env.DATABASE_URL. */
export function useTestDatabase(): { url: () => string } {
  let url = '';
  const name = `t_${randomBytes(6).toString('hex')}`;
  const adminUrl = inject('pgAdminUrl');
  beforeAll(async () => {
    url = await createDatabase(adminUrl, name);
    await migrate(url);
    process.env.DATABASE_URL = url;
  });
  afterAll(async () => {
    await disconnectDb();
    await dropDatabase(adminUrl, name);
  });
  return { url: () => url };
}
