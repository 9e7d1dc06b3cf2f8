// The web server's pipeline worker: a child process (`quarry worker`) that the Next.js server starts from
// instrumentation.ts, restarts with backoff when it dies, and stops with the server. Pipeline work (decoding, hashing,
// ONNX, the stages' JS between queries) then runs on another event loop and another core, never on the one answering
// pages. The child takes the server's environment (its DATABASE_URL: the launcher's embedded PostgreSQL, never a
// second one) and exits when the server does, even after a kill -9 (it watches its IPC channel, see parentWatch.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type ServerWorkerState = 'starting' | 'running' | 'restarting' | 'stopping' | 'stopped';

export type ServerWorkerStatus = {
  state: ServerWorkerState;
  /** The child's process id (the server's own is `process.pid`). */
  pid: number | null;
  /** The worker id its batches record (`host:pid:random`), once it has started taking jobs. */
  workerId: string | null;
  restarts: number;
  startedAt: string | null;
  /** Why the previous child ended, when one did. */
  lastExit: string | null;
};

export type ServerWorkerOptions = {
  concurrency: number;
  /** Repository root holding pipeline/cli/index.ts and node_modules/tsx. */
  root?: string;
  /** Environment for the child; defaults to this process's, minus Next's own variables. */
  env?: NodeJS.ProcessEnv;
  log?: (m: string) => void;
  /**
   * Scheduling priority of the child (nice, 0-19; default 10): on a small machine the pipeline would otherwise take
   * its full share of the cores from page requests. Every thread of the child inherits it (libvips', ONNX's).
   */
  nice?: number;
  /**
   * Stop the child on this process's SIGTERM/SIGINT. Next's own handler closes the server and exits meanwhile; the
   * child hands its running batches back (and does so on its own if the server is gone first: it watches its IPC).
   */
  stopOnSignals?: boolean;
  /** Restart delays: the first after a crash, doubling up to `maxDelayMs`; reset once a child lived `healthyMs`. */
  baseDelayMs?: number;
  maxDelayMs?: number;
  healthyMs?: number;
};

export type ServerWorker = { status: () => ServerWorkerStatus; stop: () => Promise<void> };

/** Messages the child sends over IPC (see pipeline/cli/commands/worker.ts). */
export type WorkerChildMessage = { type: 'quarry-worker-ready'; workerId: string };

const state = globalThis as unknown as { __quarryServerWorker?: ServerWorker };

/** The server's worker as the route handlers see it (they are a separate module instance: state is on globalThis). */
export function serverWorkerStatus(): ServerWorkerStatus | null {
  return state.__quarryServerWorker?.status() ?? null;
}

function childEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The child is a plain Node process, not a Next.js runtime.
  for (const k of Object.keys(env))
    if (k === 'NEXT_RUNTIME' || k.startsWith('__NEXT') || k.startsWith('NEXT_PRIVATE')) delete env[k];
  return env;
}

function exitText(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `killed by ${signal}` : `exit code ${code}`;
}

export function startServerWorker(opts: ServerWorkerOptions): ServerWorker {
  if (state.__quarryServerWorker) return state.__quarryServerWorker;
  const root = opts.root ?? process.env.QUARRY_ROOT ?? process.cwd();
  const log = opts.log ?? ((m: string) => console.error(`[server] ${m}`));
  const baseDelay = opts.baseDelayMs ?? 1000;
  const maxDelay = opts.maxDelayMs ?? 30_000;
  const healthyMs = opts.healthyMs ?? 60_000;
  const nice = Math.max(0, Math.min(19, opts.nice ?? 10));
  const niceBin = ['/usr/bin/nice', '/bin/nice'].find((f) => existsSync(f));
  const status: ServerWorkerStatus = {
    state: 'starting',
    pid: null,
    workerId: null,
    restarts: 0,
    startedAt: null,
    lastExit: null,
  };
  let child: ChildProcess | null = null;
  let timer: NodeJS.Timeout | null = null;
  let failures = 0;
  let stopping = false;

  const launch = () => {
    timer = null;
    if (stopping) return;
    // `node --import tsx`, not the tsx CLI: the CLI would put a second process between us and the worker (signals,
    // IPC and the pid we show would all be the wrapper's). `nice` execs node in place: the same pid.
    const node = [
      process.execPath,
      '--import',
      'tsx',
      path.join(root, 'pipeline', 'cli', 'index.ts'),
      'worker',
      '--concurrency',
      String(opts.concurrency),
    ];
    const argv = nice > 0 && niceBin ? [niceBin, '-n', String(nice), ...node] : node;
    const c = spawn(argv[0], argv.slice(1), {
      cwd: root,
      env: opts.env ?? childEnv(),
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    child = c;
    const started = Date.now();
    Object.assign(status, {
      state: 'starting',
      pid: c.pid ?? null,
      workerId: null,
      startedAt: new Date(started).toISOString(),
    });
    writePidFile(c.pid);
    c.on('message', (m: WorkerChildMessage) => {
      if (m?.type === 'quarry-worker-ready' && child === c)
        Object.assign(status, { state: 'running', workerId: m.workerId });
    });
    let ended = false;
    const onEnd = (why: string) => {
      if (ended) return;
      ended = true;
      if (child === c) child = null;
      const lived = Date.now() - started;
      status.lastExit = `${why} after ${(lived / 1000).toFixed(1)} s`;
      status.pid = null;
      if (stopping) {
        status.state = 'stopped';
        return;
      }
      failures = lived >= healthyMs ? 1 : failures + 1;
      const delay = Math.min(maxDelay, baseDelay * 2 ** (failures - 1));
      status.state = 'restarting';
      status.restarts++;
      log(
        `the pipeline worker (pid ${c.pid}) stopped (${status.lastExit}); restarting it in ${(delay / 1000).toFixed(1)} s` +
          ' (its running batches are taken over once their heartbeat is stale)',
      );
      timer = setTimeout(launch, delay);
    };
    c.once('exit', (code, signal) => onEnd(exitText(code, signal)));
    // A spawn that failed outright (no pid) may never emit 'exit': it is retried like a crash.
    c.on('error', (e) => {
      if (c.pid === undefined) onEnd(`could not start (${e.message})`);
    });
  };

  const stop = async () => {
    stopping = true;
    if (timer) clearTimeout(timer);
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) {
      status.state = 'stopped';
      return;
    }
    status.state = 'stopping';
    // SIGTERM: the worker hands its running batches back to the queue, then exits.
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  };

  launch();
  if (opts.stopOnSignals) {
    const onSignal = () => {
      void stop();
    };
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  const handle: ServerWorker = { status: () => ({ ...status }), stop };
  state.__quarryServerWorker = handle;
  return handle;
}

/**
 * The launcher (serveApp.ts) waits for the worker to hand its batches back before it stops the database; it learns
 * the child's pid from this file, named in QUARRY_WORKER_PID_FILE (a launcher cannot see its grandchildren).
 */
function writePidFile(pid: number | undefined): void {
  const file = process.env.QUARRY_WORKER_PID_FILE;
  if (!file || !pid) return;
  try {
    writeFileSync(file, String(pid));
  } catch {
    /* the launcher then just does not wait */
  }
}
