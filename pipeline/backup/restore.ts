// Restores a backup made by backup.ts into an empty, migrated database and the image store.
import { createReadStream, existsSync } from 'node:fs';
import { cp, readFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import { exportRoot } from '../../lib/exportPaths.ts';
import { migrate } from '../../lib/server/migrate.ts';
import type { BackupManifest } from './backup.ts';
import { tablesInDependencyOrder } from './tables.ts';

export async function restore(opts: {
  url: string;
  dataDir: string;
  from: string;
  log?: (m: string) => void;
}): Promise<{ tables: number; rows: number }> {
  const log = opts.log ?? (() => {});
  const manifestPath = path.join(opts.from, 'manifest.json');
  if (!existsSync(manifestPath)) throw new Error(`${opts.from} is not a Quarry backup (no manifest.json)`);
  const manifest = JSON.parse(await readFile(manifestPath, 'utf8')) as BackupManifest;
  if (manifest.format !== 'quarry-backup-1')
    throw new Error(`Unknown backup format ${String(manifest.format)}`);

  const applied = await migrate(opts.url, { log });
  const client = new pg.Client({ connectionString: opts.url });
  await client.connect();
  let rows = 0;
  try {
    const known = new Set(
      (
        await client.query<{ migration_name: string }>('SELECT migration_name FROM "_prisma_migrations"')
      ).rows.map((r) => r.migration_name),
    );
    const missing = manifest.migrations.filter((m) => !known.has(m));
    if (missing.length)
      throw new Error(`The backup needs a newer Quarry (unknown migrations: ${missing.join(', ')})`);
    const order = await tablesInDependencyOrder(client);
    for (const t of order) {
      const n = Number((await client.query(`SELECT count(*) AS n FROM "${t}"`)).rows[0].n);
      if (n > 0)
        throw new Error(`Refusing to restore into a database that has data (table ${t} has ${n} rows)`);
    }
    await client.query('BEGIN');
    for (const table of order) {
      const entry = manifest.tables.find((t) => t.name === table);
      if (!entry) continue;
      await pipeline(
        createReadStream(path.join(opts.from, entry.file)),
        createGunzip(),
        client.query(copyFrom(`COPY "${table}" FROM STDIN WITH (FORMAT csv, HEADER true)`)),
      );
      rows += entry.rows;
      log(`${table}: ${entry.rows.toLocaleString('en-US')} rows`);
    }
    // Export rows point at their files by a path relative to the export root: the restored copies in
    // <export root>/<id>; an export whose files are not in the backup has none (it would name the old data folder).
    if (manifest.exports) {
      await client.query(
        `UPDATE exports SET directory = CASE WHEN id = ANY($1::text[]) THEN id ELSE NULL END WHERE directory IS NOT NULL`,
        [manifest.exports],
      );
    }
    // Identity sequences must continue after the restored ids.
    const serials = await client.query<{ table_name: string; column_name: string }>(
      `SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' AND column_default LIKE 'nextval(%'`,
    );
    for (const s of serials.rows) {
      await client.query(
        `SELECT setval(pg_get_serial_sequence($1, $2), GREATEST(COALESCE((SELECT max("${s.column_name}") FROM "${s.table_name}"), 0), 1))`,
        [`"${s.table_name}"`, s.column_name],
      );
    }
    await client.query('COMMIT');
  } catch (e) {
    await client.query('ROLLBACK').catch(() => {});
    throw e;
  } finally {
    await client.end();
  }
  if (manifest.images)
    await cp(path.join(opts.from, 'images'), path.join(opts.dataDir, 'images'), {
      recursive: true,
      force: false,
    });
  const root = exportRoot(opts.dataDir);
  for (const id of manifest.exports ?? [])
    await cp(path.join(opts.from, 'exports', id), path.join(root, id), { recursive: true, force: false });
  log(
    `restored ${rows.toLocaleString('en-US')} rows${applied.length ? ` (database migrated: ${applied.join(', ')})` : ''}`,
  );
  return { tables: manifest.tables.length, rows };
}
