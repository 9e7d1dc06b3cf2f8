// Benchmark: p95 latency of /login, /accounts (signed in) and /api/runs on `npm start`'s server while analyze runs at
// full speed on its pipeline worker (a child process), vs. the same requests on the same server idle, in one run.
// The app and the Flickr simulator run as their own processes (`quarry serve`, `quarry simulator`): this process
// only sends requests one at a time and times them, so nothing here slows what it measures.
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { hashPassword } from '../../lib/auth/password.ts';
import { disconnectDb } from '../../lib/db.ts';
import { getRun } from '../../lib/queries/runs.ts';
import { createUser } from '../../lib/queries/users.ts';
import { ensureDatabase } from '../../lib/server/database.ts';
import { freePort } from '../../lib/server/embeddedPostgres.ts';
import { ensureBuilt } from '../../pipeline/cli/serveApp.ts';
import { parseArgs } from '../../pipeline/cli/withDatabase.ts';
import { intFlag, portFlag } from './lib/benchFlags.ts';

/** `npm run bench -- web-under-load --help` prints these; any other flag is refused (test/bench/index.ts). */
export const usage = 'web response times while the worker analyzes';
export const flags: Record<string, string> = {
  photos: 'N photos (4000)',
  'idle-rounds': 'N idle rounds (40)',
  seconds: 'at most N seconds under load (120)',
  port: 'app port (free)',
  'simulator-port': 'simulator port (free)',
  verbose: "echo the app's output",
};

const TARGET_P95_MS = 300;
const PATHS = ['/login', '/accounts', '/api/runs'] as const;
const ADMIN = { email: 'bench@web.test', password: `Bench-${randomBytes(6).toString('hex')}` };
const root = path.resolve(import.meta.dirname, '../..');
const cli = path.join(root, 'pipeline', 'cli', 'index.ts');

type Samples = Record<(typeof PATHS)[number], number[]>;

function spawnCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  ready: RegExp,
  echo: boolean,
  nice = 0,
): Promise<{ proc: ChildProcess; output: () => string }> {
  const node = [process.execPath, '--import', 'tsx', cli, ...args];
  const argv = nice && existsSync('/usr/bin/nice') ? ['/usr/bin/nice', '-n', String(nice), ...node] : node;
  const proc = spawn(argv[0], argv.slice(1), { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const onData = (d: Buffer) => {
      out += d.toString();
      if (echo) process.stderr.write(d);
      if (ready.test(out)) resolve({ proc, output: () => out });
    };
    proc.stdout!.on('data', onData);
    proc.stderr!.on('data', onData);
    proc.once('exit', (code) =>
      reject(
        new Error(`quarry ${args[0]} exited (${code}): ${out.trim().split('\n').slice(-3).join(' | ')}`),
      ),
    );
  });
}

async function stopProc(p: ChildProcess | undefined): Promise<void> {
  if (!p || p.exitCode !== null || p.signalCode !== null) return;
  await new Promise((resolve) => {
    p.once('exit', resolve);
    p.kill('SIGTERM');
  });
}

/** next-auth's credentials sign-in over plain HTTP: csrf token + cookie, then the callback; returns the Cookie header. */
async function signIn(base: string): Promise<string> {
  const jar = new Map<string, string>();
  const keep = (res: Response) => {
    for (const c of res.headers.getSetCookie()) {
      const [kv] = c.split(';');
      const i = kv.indexOf('=');
      jar.set(kv.slice(0, i), kv.slice(i + 1));
    }
  };
  const header = () => [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
  const csrf = await fetch(`${base}/api/auth/csrf`);
  keep(csrf);
  const { csrfToken } = (await csrf.json()) as { csrfToken: string };
  const res = await fetch(`${base}/api/auth/callback/credentials`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: header() },
    body: new URLSearchParams({
      email: ADMIN.email,
      password: ADMIN.password,
      csrfToken,
      callbackUrl: `${base}/`,
    }),
  });
  keep(res);
  if (![...jar.keys()].some((k) => k.includes('session-token')))
    throw new Error(`sign-in failed (HTTP ${res.status})`);
  return header();
}

/** One request, timed to the last byte of its body; a failure counts as an error, not a latency. */
async function timed(url: string, cookie: string): Promise<number | null> {
  const t0 = performance.now();
  try {
    const res = await fetch(url, {
      headers: { cookie },
      redirect: 'manual',
      signal: AbortSignal.timeout(60_000),
    });
    await res.arrayBuffer();
    return res.status === 200 ? performance.now() - t0 : null;
  } catch {
    return null;
  }
}

const quantile = (v: number[], q: number) => {
  if (!v.length) return NaN;
  const s = [...v].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)];
};

/** Rounds of the three requests in turn, until `more()` says stop; returns latencies per path and the errors. */
async function sample(
  base: string,
  cookie: string,
  more: (round: number) => boolean,
): Promise<{ samples: Samples; errors: number }> {
  const samples: Samples = { '/login': [], '/accounts': [], '/api/runs': [] };
  let errors = 0;
  for (let round = 0; more(round); round++) {
    for (const p of PATHS) {
      const ms = await timed(`${base}${p}`, p === '/login' ? '' : cookie);
      if (ms === null) errors++;
      else samples[p].push(ms);
    }
    // A user's pace, not a flood: the figure is what one person sees, not the server's throughput.
    await new Promise((r) => setTimeout(r, 100));
  }
  return { samples, errors };
}

const analyzeStage = async (runId: string) =>
  (await getRun(runId))?.stages.find((s) => s.stage === 'analyze');

export async function run(args: string[]): Promise<void> {
  const { flags } = parseArgs(args);
  const photos = intFlag(flags, 'photos', 4000, { min: 1 });
  const idleRounds = intFlag(flags, 'idle-rounds', 40, { min: 1 });
  const maxSeconds = intFlag(flags, 'seconds', 120, { min: 1 });
  const port = portFlag(flags, 'port', undefined) ?? (await freePort());
  const simPort = portFlag(flags, 'simulator-port', undefined) ?? (await freePort());
  const echo = flags.verbose === true;
  const log = (m: string) => console.error(m);
  ensureBuilt(log);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'quarry-bench-web-'));
  delete process.env.DATABASE_URL;
  process.env.DATA_DIR = dir;
  const database = await ensureDatabase({ dataDir: dir });
  let sim: ChildProcess | undefined;
  let app: ChildProcess | undefined;
  try {
    await createUser({
      email: ADMIN.email,
      name: 'Bench admin',
      role: 'admin',
      passwordHash: await hashPassword(ADMIN.password),
    });
    const apiKey = 'bench-web-key';
    // The simulator stands in for Flickr, which in real use is not on this machine: it runs at the priority of the
    // server's pipeline worker (nice 10, see serverWorker.ts), the side of the machine the pipeline is on.
    const s = await spawnCli(
      [
        'simulator',
        '--universe',
        'bench-web',
        '--photos',
        String(photos),
        '--port',
        String(simPort),
        '--api-key',
        apiKey,
      ],
      { ...process.env },
      /IMAGE_HOSTS=\S+/,
      echo,
      10,
    );
    sim = s.proc;
    const apiBase = /FLICKR_API_BASE=(\S+)/.exec(s.output())![1];
    const imageHost = /IMAGE_HOSTS=(\S+)/.exec(s.output())![1];
    const a = await spawnCli(
      ['serve', '--port', String(port)],
      {
        ...process.env,
        DATA_DIR: dir,
        DATABASE_URL: database.url,
        HOST: '127.0.0.1',
        AUTH_SECRET: randomBytes(24).toString('hex'),
        FLICKR_API_BASE: apiBase,
        FLICKR_API_KEY: apiKey,
        FLICKR_RATE_LIMIT: '360000',
        IMAGE_HOSTS: imageHost,
        IN_PROCESS_WORKER: '1',
      },
      /Quarry is running on/,
      echo,
    );
    app = a.proc;
    const base = `http://127.0.0.1:${port}`;
    const cookie = await signIn(base);
    // The worker child takes a few seconds to load the stages; the idle figure is taken with it started and waiting.
    for (const until = Date.now() + 120_000; ; ) {
      const w = (await (await fetch(`${base}/api/runs/worker`, { headers: { cookie } })).json()) as {
        worker: { state: string } | null;
      };
      if (w.worker?.state === 'running') break;
      if (Date.now() > until)
        throw new Error(`the server's pipeline worker did not start (${JSON.stringify(w.worker)})`);
      await new Promise((r) => setTimeout(r, 500));
    }
    await sample(base, cookie, (r) => r < 3); // warm-up: first renders compile and fill caches
    const idle = await sample(base, cookie, (r) => r < idleRounds);

    const created = await fetch(`${base}/api/runs`, {
      method: 'POST',
      headers: { cookie, 'content-type': 'application/json' },
      body: JSON.stringify({ stages: ['ingest', 'analyze'], from: '2010-01-01', to: '2023-12-31' }),
    });
    if (created.status !== 201)
      throw new Error(`could not start the run: HTTP ${created.status} ${await created.text()}`);
    const runId = ((await created.json()) as { id: string }).id;
    log(`Run ${runId}: ingesting ${photos} photos, then analyzing them…`);
    for (const until = Date.now() + 600_000; (await analyzeStage(runId))?.status !== 'active'; ) {
      if (Date.now() > until) throw new Error('analyze did not start within 10 minutes');
      const r = await getRun(runId);
      if (r && ['failed', 'cancelled'].includes(r.status)) throw new Error(`run ${r.status}: ${r.error}`);
      await new Promise((res) => setTimeout(res, 250));
    }
    const startDone = (await analyzeStage(runId))?.done ?? 0;
    const t0 = performance.now();
    let analyzing = true;
    const watch = setInterval(() => {
      void analyzeStage(runId).then((st) => {
        analyzing = st?.status === 'active';
      });
    }, 1000);
    const loaded = await sample(base, cookie, () => analyzing && performance.now() - t0 < maxSeconds * 1000);
    clearInterval(watch);
    const seconds = (performance.now() - t0) / 1000;
    const st = await analyzeStage(runId);
    const analyzed = (st?.done ?? 0) - startDone;

    console.log(
      `Web under load: ${os.cpus().length} cores (load average ${os.loadavg()[0].toFixed(1)} at the end); requests one at a time, ` +
        `100 ms apart; analyze of ${photos} generated photos on the server's worker child (${analyzed} photos in the ${seconds.toFixed(0)} s ` +
        `measured, ${(analyzed / seconds).toFixed(1)} photos/s; ${st?.done ?? 0}/${st?.total ?? 0} done by the end)`,
    );
    console.log(
      `  ${'path'.padEnd(10)}  ${'idle p50'.padStart(9)}  ${'idle p95'.padStart(9)}  ${'load p50'.padStart(9)}  ${'load p95'.padStart(9)}  ${'max'.padStart(8)}  ${'p95 ratio'.padStart(9)}  target p95 < ${TARGET_P95_MS} ms`,
    );
    let pass = true;
    for (const p of PATHS) {
      const i = idle.samples[p];
      const l = loaded.samples[p];
      const ok = quantile(l, 0.95) < TARGET_P95_MS;
      pass &&= ok;
      const ms = (v: number) => `${v.toFixed(0)} ms`.padStart(9);
      console.log(
        `  ${p.padEnd(10)}  ${ms(quantile(i, 0.5))}  ${ms(quantile(i, 0.95))}  ${ms(quantile(l, 0.5))}  ${ms(quantile(l, 0.95))}  ${ms(Math.max(...l)).slice(1)}  ` +
          `${`${(quantile(l, 0.95) / quantile(i, 0.95)).toFixed(2)}×`.padStart(9)}  ${ok ? 'pass' : 'FAIL'} (${l.length} requests under load, ${i.length} idle)`,
      );
    }
    console.log(
      `  errors: ${idle.errors} idle, ${loaded.errors} under load; overall: ${pass ? 'pass' : 'FAIL'}`,
    );
  } finally {
    await stopProc(app);
    await stopProc(sim);
    await disconnectDb();
    await database.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
