import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { migrate, readMigrations } from '../../../lib/server/migrate.ts';
import { useTestDatabase } from '../../helpers/db.ts';

const database = useTestDatabase();

describe('migration runner', () => {
  it('records every migration the way Prisma does and applies nothing twice', async () => {
    const client = new pg.Client({ connectionString: database.url() });
    await client.connect();
    try {
      const rows = await client.query(
        'SELECT migration_name, checksum FROM "_prisma_migrations" ORDER BY migration_name',
      );
      const expected = await readMigrations();
      expect(rows.rows.map((r) => r.migration_name)).toEqual(expected.map((m) => m.name));
      expect(rows.rows.map((r) => r.checksum)).toEqual(expected.map((m) => m.checksum));
    } finally {
      await client.end();
    }
    expect(await migrate(database.url())).toEqual([]);
  });

  it('lets concurrent start-ups migrate safely under the lock', async () => {
    const results = await Promise.all([
      migrate(database.url()),
      migrate(database.url()),
      migrate(database.url()),
    ]);
    expect(results.flat()).toEqual([]);
  });
});
