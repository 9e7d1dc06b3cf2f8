// Backs up the database (one consistent snapshot, table by table as gzipped CSV) and the image store.
// A logical copy via COPY rather than pg_dump: it works whatever PostgreSQL version the server runs
// (the embedded server is newer than the pg_dump most machines have) and restores into any server.
import { createWriteStream, existsSync } from 'node:fs';
import { cp, mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { tablesInDependencyOrder } from './tables.ts';

export type BackupManifest = {
  format: 'quarry-backup-1';
  createdAt: string;
  migrations: string[];
  tables: { name: string; rows: number; file: string }[];
  images: boolean;
};

export async function backup(opts: { url: string; dataDir: string; out: string; log?: (m: string) => void }): Promise<BackupManifest> {
  const log = opts.log ?? (() => {});
  if (existsSync(opts.out)) throw new Error(`${opts.out} already exists: choose a new folder for the backup`);
  await mkdir(path.join(opts.out, 'db'), { recursive: true });
  const client = new pg.Client({ connectionString: opts.url });
  await client.connect();
  const manifest: BackupManifest = { format: 'quarry-backup-1', createdAt: new Date().toISOString(), migrations: [], tables: [], images: false };
  try {
    // One snapshot for every table, so decisions and the rows they point at agree.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    manifest.migrations = (await client.query<{ migration_name: string }>(
      'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY 1')).rows.map((r) => r.migration_name);
    for (const table of await tablesInDependencyOrder(client)) {
      const file = `db/${table}.csv.gz`;
      const rows = Number((await client.query(`SELECT count(*) AS n FROM "${table}"`)).rows[0].n);
      await pipeline(client.query(copyTo(`COPY "${table}" TO STDOUT WITH (FORMAT csv, HEADER true)`)), createGzip(), createWriteStream(path.join(opts.out, file)));
      manifest.tables.push({ name: table, rows, file });
      log(`${table}: ${rows.toLocaleString('en-US')} rows`);
    }
    await client.query('COMMIT');
  } finally {
    await client.end();
  }
  const images = path.join(opts.dataDir, 'images');
  if (existsSync(images)) {
    await cp(images, path.join(opts.out, 'images'), { recursive: true });
    manifest.images = true;
    log('images copied');
  }
  await writeFile(path.join(opts.out, 'manifest.json'), JSON.stringify(manifest, null, 2));
  return manifest;
}
