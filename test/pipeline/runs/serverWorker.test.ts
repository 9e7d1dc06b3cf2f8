// The web server's pipeline worker is a child process: another pid, restarted when it dies, gone when the server is.
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ServerWorkerStatus } from '../../../pipeline/runs/serverWorker.ts';
import { useTestDatabase } from '../../helpers/db.ts';

const database = useTestDatabase();
const parents: ChildProcess[] = [];
const workerPids: number[] = [];

type Seen = ServerWorkerStatus & { parent: number };

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

afterEach(() => {
  for (const p of parents.splice(0)) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  for (const pid of workerPids.splice(0)) if (alive(pid)) process.kill(pid, 'SIGKILL');
});

/** The stand-in server, with every status line and log line it printed so far. */
function startParent(): { proc: ChildProcess; statuses: Seen[]; logs: string[] } {
  const proc = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(import.meta.dirname, 'serverParent.ts')],
    {
      cwd: path.resolve(import.meta.dirname, '../../..'),
      env: { ...process.env, DATABASE_URL: database.url(), RUN_POLL_SECONDS: '0.5' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  parents.push(proc);
  const statuses: Seen[] = [];
  const logs: string[] = [];
  let buf = '';
  proc.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split('\n');
    buf = lines.pop()!;
    for (const l of lines) {
      if (l.startsWith('status ')) {
        const s = JSON.parse(l.slice(7)) as Seen;
        statuses.push(s);
        if (s.pid && !workerPids.includes(s.pid)) workerPids.push(s.pid);
      } else if (l.startsWith('log ')) logs.push(l.slice(4));
    }
  });
  proc.stderr!.on('data', (d: Buffer) => {
    if (process.env.DEBUG_WORKERS) process.stderr.write(d);
  });
  return { proc, statuses, logs };
}

async function waitFor<T>(what: string, probe: () => T | null | undefined | false, ms = 60_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const v = probe();
    if (v) return v;
    if (Date.now() > until) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("the server's pipeline worker", () => {
  it('runs in its own process, is restarted after a kill -9, and does not outlive a killed server', async () => {
    const { proc, statuses, logs } = startParent();
    const first = await waitFor('the worker to take jobs', () => statuses.find((s) => s.state === 'running'));
    expect(first.pid).not.toBe(first.parent);
    expect(first.workerId).toContain(`:${first.pid}:`);

    process.kill(first.pid!, 'SIGKILL');
    const second = await waitFor('a restarted worker', () =>
      statuses.find((s) => s.state === 'running' && s.pid !== first.pid),
    );
    expect(second.restarts).toBe(1);
    expect(second.pid).not.toBe(second.parent);
    expect(
      logs.some(
        (l) =>
          l.includes(`pipeline worker (pid ${first.pid}) stopped (killed by SIGKILL`) &&
          l.includes('restarting it in'),
      ),
    ).toBe(true);

    // kill -9 of the server leaves no orphan: the child sees its IPC channel close and stops.
    proc.kill('SIGKILL');
    await waitFor('the worker to exit with its server', () => !alive(second.pid!), 20_000);
  });

  it('stops its worker when the server is asked to stop', async () => {
    const { proc, statuses } = startParent();
    const running = await waitFor('the worker to take jobs', () =>
      statuses.find((s) => s.state === 'running'),
    );
    proc.kill('SIGTERM');
    const code = await new Promise<number | null>((resolve) => proc.once('exit', (c) => resolve(c)));
    expect(code).toBe(0);
    expect(alive(running.pid!)).toBe(false);
    expect(statuses.at(-1)?.state).not.toBe('restarting');
  });
});
