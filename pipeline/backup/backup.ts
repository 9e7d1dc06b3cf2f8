// Backs up the database (one consistent snapshot, table by table as gzipped CSV) and the image store.
// A logical copy via COPY rather than pg_dump: it works whatever PostgreSQL version the server runs
// (the embedded server is newer than the pg_dump most machines have) and restores into any server.
// A backup holds password hashes (users.csv.gz) and everything reviewers decided: its folder is 0700 and every
// file in it 0600, whatever the umask. Completed exports' files are copied in too (exports/<id>/), so a restored
// instance can still serve the datasets it lists.
import { createWriteStream, existsSync } from 'node:fs';
import { chmod, cp, mkdir, readdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import pg from 'pg';
import { to as copyTo } from 'pg-copy-streams';
import { exportRoot, resolveExportDirectory } from '../../lib/exportPaths.ts';
import { tablesInDependencyOrder } from './tables.ts';

export type BackupManifest = {
  format: 'quarry-backup-1';
  createdAt: string;
  migrations: string[];
  tables: { name: string; rows: number; file: string }[];
  images: boolean;
  /** Exports whose files are in exports/<id>/ (absent in backups made before exports were included). */
  exports?: string[];
};

/** Folders 0700, files 0600, below and including `dir`. */
export async function makePrivate(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) await makePrivate(p);
    else if (e.isFile()) await chmod(p, 0o600);
  }
}

export async function backup(opts: {
  url: string;
  dataDir: string;
  out: string;
  log?: (m: string) => void;
}): Promise<BackupManifest> {
  const log = opts.log ?? (() => {});
  if (existsSync(opts.out)) throw new Error(`${opts.out} already exists: choose a new folder for the backup`);
  await mkdir(path.dirname(path.resolve(opts.out)), { recursive: true });
  // Not recursive: a folder that appeared since the check above is refused too, never written into.
  await mkdir(opts.out, { mode: 0o700 });
  await chmod(opts.out, 0o700);
  await mkdir(path.join(opts.out, 'db'), { mode: 0o700 });
  const client = new pg.Client({ connectionString: opts.url });
  await client.connect();
  const manifest: BackupManifest = {
    format: 'quarry-backup-1',
    createdAt: new Date().toISOString(),
    migrations: [],
    tables: [],
    images: false,
    exports: [],
  };
  let exportDirs: { id: string; directory: string }[] = [];
  try {
    // One snapshot for every table, so decisions and the rows they point at agree.
    await client.query('BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY');
    manifest.migrations = (
      await client.query<{ migration_name: string }>(
        'SELECT migration_name FROM "_prisma_migrations" WHERE finished_at IS NOT NULL AND rolled_back_at IS NULL ORDER BY 1',
      )
    ).rows.map((r) => r.migration_name);
    for (const table of await tablesInDependencyOrder(client)) {
      const file = `db/${table}.csv.gz`;
      const rows = Number((await client.query(`SELECT count(*) AS n FROM "${table}"`)).rows[0].n);
      await pipeline(
        client.query(copyTo(`COPY "${table}" TO STDOUT WITH (FORMAT csv, HEADER true)`)),
        createGzip(),
        createWriteStream(path.join(opts.out, file), { mode: 0o600 }),
      );
      manifest.tables.push({ name: table, rows, file });
      log(`${table}: ${rows.toLocaleString('en-US')} rows`);
    }
    exportDirs = (
      await client.query<{ id: string; directory: string }>(
        `SELECT id, directory FROM exports WHERE status = 'completed' AND directory IS NOT NULL ORDER BY id`,
      )
    ).rows;
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
  const root = exportRoot(opts.dataDir);
  for (const e of exportDirs) {
    const dir = resolveExportDirectory(e.directory, root);
    if (!existsSync(dir)) {
      log(`export ${e.id}: its folder ${dir} is gone; not in the backup`);
      continue;
    }
    await cp(dir, path.join(opts.out, 'exports', e.id), { recursive: true });
    manifest.exports!.push(e.id);
  }
  if (manifest.exports!.length) log(`${manifest.exports!.length} export(s) copied`);
  await writeFile(path.join(opts.out, 'manifest.json'), JSON.stringify(manifest, null, 2), { mode: 0o600 });
  await makePrivate(opts.out);
  return manifest;
}
