// Runs the Next.js app as a child process against an already resolved database, until Ctrl-C.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { processAlive as alive } from '../../lib/server/processAlive.ts';

const nextBin = path.resolve('node_modules/next/dist/bin/next');
// Stamps each request with its connection's address before Next sees it (the login limits' trusted address).
const peerAddressPreload = path.resolve('lib/server/peerAddressPreload.ts');

/** AUTH_SECRET signs session cookies; keep one per data directory so restarts keep people signed in. */
export async function ensureAuthSecret(dataDir: string): Promise<string> {
  if (process.env.AUTH_SECRET) return process.env.AUTH_SECRET;
  const file = path.join(dataDir, 'auth-secret');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  await mkdir(dataDir, { recursive: true });
  const secret = randomBytes(32).toString('base64url');
  await writeFile(file, secret, { mode: 0o600 });
  return secret;
}

/** What the production build is made from: a change to any of these after the build makes it stale. */
const BUILD_SOURCES = [
  'app',
  'components',
  'lib',
  'pipeline',
  'public',
  'proxy.ts',
  'instrumentation.ts',
  'next.config.ts',
  'package-lock.json',
  'postcss.config.mjs',
  'tsconfig.json',
];

/** The newest modification time (ms) under the given files and folders; 0 when none exists. */
export function newestMtime(entries: string[]): number {
  let newest = 0;
  const visit = (p: string) => {
    let s: ReturnType<typeof statSync>;
    try {
      s = statSync(p);
    } catch {
      return;
    }
    if (s.isDirectory()) {
      for (const name of readdirSync(p))
        if (name !== 'node_modules' && !name.startsWith('.')) visit(path.join(p, name));
    } else newest = Math.max(newest, s.mtimeMs);
  };
  for (const e of entries) visit(e);
  return newest;
}

/** Whether the production build under `root` exists and is newer than every source file. */
export function buildState(root: string, sources: string[]): 'missing' | 'stale' | 'current' {
  const id = path.join(root, '.next', 'BUILD_ID');
  if (!existsSync(id)) return 'missing';
  return newestMtime(sources.map((s) => path.join(root, s))) > statSync(id).mtimeMs ? 'stale' : 'current';
}

/**
 * Builds the app when there is no production build, or when a source file changed after it (a `git pull` or an
 * edit): serving a stale build would run old pages against the new pipeline and database.
 */
export function ensureBuilt(log: (m: string) => void): void {
  const state = buildState('.', BUILD_SOURCES);
  if (state === 'current') return;
  const built = state === 'stale';
  log(
    built
      ? 'The production build is older than the source: running `next build` again…'
      : 'No production build found: running `next build` (about 30 s)…',
  );
  const res = spawnSync(process.execPath, [nextBin, 'build'], {
    stdio: 'inherit',
    env: { ...process.env, NEXT_TELEMETRY_DISABLED: '1' },
  });
  if (res.status !== 0) throw new Error('next build failed');
}

/** The address to print for a bound host: a wildcard bind is reached on this machine at localhost. */
export function appUrl(host: string, port: number): string {
  const shown = host === '0.0.0.0' || host === '::' ? 'localhost' : host.includes(':') ? `[${host}]` : host;
  return `http://${shown}:${port}`;
}

/**
 * AUTH_URL only when the operator set one: without it next-auth trusts the address each request came to, so
 * signing in works at localhost, 127.0.0.1 or a LAN name alike.
 */
export function authUrlEnv(): Record<string, string> {
  return process.env.AUTH_URL ? { AUTH_URL: process.env.AUTH_URL } : {};
}

export type ServeOptions = {
  dev: boolean;
  port: number;
  host?: string;
  env: Record<string, string>;
  onReady?: () => void;
  onStop: () => Promise<void>;
};

/**
 * The server's pipeline worker (its child, see pipeline/runs/serverWorker.ts) hands its running batches back when
 * the server stops; give it that time before the database goes away. Bounded: a stuck worker's batches are taken
 * over after a restart anyway.
 */
async function awaitServerWorker(pidFile: string, timeoutMs = 15_000): Promise<void> {
  const pid = Number(await readFile(pidFile, 'utf8').catch(() => ''));
  await rm(pidFile, { force: true });
  if (!pid) return;
  const deadline = Date.now() + timeoutMs;
  while (alive(pid) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
}

export function serveApp(opts: ServeOptions): Promise<number> {
  const args = [
    '--import',
    peerAddressPreload,
    nextBin,
    opts.dev ? 'dev' : 'start',
    '-p',
    String(opts.port),
    ...(opts.host ? ['-H', opts.host] : []),
  ];
  const workerPidFile = path.join(
    os.tmpdir(),
    `quarry-worker-${process.pid}-${randomBytes(4).toString('hex')}.pid`,
  );
  const child = spawn(process.execPath, args, {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, ...opts.env, NEXT_TELEMETRY_DISABLED: '1', QUARRY_WORKER_PID_FILE: workerPidFile },
  });
  let announced = false;
  child.stdout.on('data', (chunk: Buffer) => {
    process.stdout.write(chunk);
    if (!announced && /Ready in|started server|Local:/i.test(chunk.toString())) {
      announced = true;
      opts.onReady?.();
    }
  });
  let stopping = false;
  const forward = (signal: NodeJS.Signals) => () => {
    if (stopping) return;
    stopping = true;
    console.error(`\nStopping Quarry (${signal})…`);
    child.kill(signal);
  };
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  return new Promise((resolve) => {
    child.on('exit', async (code) => {
      await awaitServerWorker(workerPidFile);
      await opts.onStop();
      resolve(code ?? 0);
    });
  });
}
