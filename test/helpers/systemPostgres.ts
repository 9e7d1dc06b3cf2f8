// Starts Debian's PostgreSQL (a server Quarry did not start) to test the DATABASE_URL path like a shared team server.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { chmod, chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../lib/server/embeddedPostgres.ts';

export function systemPostgresBin(): string | null {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return null;
  const versions = readdirSync(root)
    .filter((v) => existsSync(path.join(root, v, 'bin', 'pg_ctl')))
    .sort((a, b) => Number(b) - Number(a));
  return versions.length ? path.join(root, versions[0], 'bin') : null;
}

function asPostgres(cmd: string[]): void {
  const isRoot = process.getuid?.() === 0;
  const res = isRoot
    ? spawnSync('su', ['postgres', '-s', '/bin/bash', '-c', cmd.map((c) => `'${c}'`).join(' ')], {
        encoding: 'utf8',
      })
    : spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${res.stderr || res.stdout}`);
}

export async function startSystemPostgres(): Promise<{ url: string; stop: () => Promise<void> }> {
  const bin = systemPostgresBin();
  if (!bin) throw new Error('No system PostgreSQL under /usr/lib/postgresql (apt-get install postgresql)');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'quarry-syspg-'));
  const data = path.join(dir, 'data');
  const pw = path.join(dir, 'pw');
  await writeFile(pw, 'shared-secret\n');
  if (process.getuid?.() === 0) {
    const uid = Number(execFileSync('id', ['-u', 'postgres']).toString());
    const gid = Number(execFileSync('id', ['-g', 'postgres']).toString());
    await chmod(dir, 0o755);
    await chown(dir, uid, gid);
    await chown(pw, uid, gid);
  }
  const port = await freePort();
  asPostgres([
    path.join(bin, 'initdb'),
    '-D',
    data,
    '-U',
    'team',
    `--pwfile=${pw}`,
    '--auth=scram-sha-256',
    '--encoding=UTF8',
    '--locale=C',
  ]);
  asPostgres([
    path.join(bin, 'pg_ctl'),
    '-D',
    data,
    '-w',
    '-l',
    path.join(dir, 'log'),
    '-o',
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1`,
    'start',
  ]);
  return {
    url: `postgresql://team:shared-secret@127.0.0.1:${port}/postgres`,
    stop: async () => {
      asPostgres([path.join(bin, 'pg_ctl'), '-D', data, '-w', '-m', 'fast', 'stop']);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
