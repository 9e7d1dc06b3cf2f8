// kill -9 of the embedded postmaster while the app runs: the launcher's database handle restarts it on the same
// port, logs one line, and the app's own client (the one route handlers use) answers again shortly after.
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { db, disconnectDb } from '../../lib/db.ts';
import { ensureDatabase, type DatabaseHandle } from '../../lib/server/database.ts';

const saved = process.env.DATABASE_URL;
let dir = '';
let handle: DatabaseHandle | null = null;

afterAll(async () => {
  await disconnectDb();
  await handle?.stop();
  if (saved === undefined) delete process.env.DATABASE_URL;
  else process.env.DATABASE_URL = saved;
  if (dir) await rm(dir, { recursive: true, force: true });
});

const postmasterPid = () =>
  Number(readFileSync(path.join(dir, 'postgres', 'postmaster.pid'), 'utf8').split('\n')[0]);

async function usersCount(): Promise<number> {
  return db().user.count();
}

describe('the embedded PostgreSQL under the app', () => {
  it('is restarted after kill -9 and requests succeed again', async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'quarry-keepalive-'));
    delete process.env.DATABASE_URL;
    const lines: string[] = [];
    handle = await ensureDatabase({ dataDir: dir, log: (m) => lines.push(m) });
    expect(await usersCount()).toBe(0);

    const before = postmasterPid();
    process.kill(before, 'SIGKILL');
    const killedAt = Date.now();
    // While it is down a request fails; that is all an outage may cost.
    let failed = 0;
    for (;;) {
      const ok = await usersCount().then(
        () => true,
        () => false,
      );
      if (ok && postmasterPid() !== before) break;
      if (!ok) failed++;
      if (Date.now() - killedAt > 30_000) throw new Error(`not back after 30 s; log: ${lines.join(' / ')}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(Date.now() - killedAt).toBeLessThan(30_000);
    expect(failed).toBeGreaterThan(0);
    expect(postmasterPid()).not.toBe(before);
    const restarts = lines.filter((l) => /died \(killed by SIGKILL\); restarted it in/.test(l));
    expect(restarts).toHaveLength(1);
    expect(new URL(handle.url).port).toBe(new URL(process.env.DATABASE_URL!).port);

    // A clean stop is not a death: nothing restarts it.
    await disconnectDb();
    await handle.stop();
    await new Promise((r) => setTimeout(r, 1500));
    await expect(usersCount()).rejects.toThrow();
    await disconnectDb();
    handle = null;
  }, 60_000);
});
