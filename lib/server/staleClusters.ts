// Relocated embedded-PostgreSQL clusters (pgPlacement.ts: <shared home>/clusters/<id>, linked from DATA_DIR/postgres)
// outlive the DATA_DIR that made them: deleting a data folder (every e2e run deletes its temp one) removes the link,
// not the cluster. Each cluster gets an owner record naming its link; a cluster is removed only when that link is gone
// or points elsewhere, no server runs on it, and it has not been started or stopped for a grace period (a DATA_DIR
// that was moved rather than deleted gets that long to be started again, which rewrites the record).
import { existsSync } from 'node:fs';
import { lstat, readFile, readdir, readlink, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { processAlive as alive } from './processAlive.ts';

/** A day: PostgreSQL touches the cluster folder at every start and stop, so a used cluster never gets this old. */
export const STALE_CLUSTER_GRACE_MS = 24 * 3600 * 1000;

const CLUSTER_NAME = /^[0-9a-f]{16}$/;

const ownerFile = (cluster: string) => `${cluster}.owner`;

/** Records which DATA_DIR link uses `cluster` (written after the link exists, and again at every start). */
export async function recordClusterOwner(cluster: string, pointer: string): Promise<void> {
  const file = ownerFile(cluster);
  const body = `${JSON.stringify({ pointer: path.resolve(pointer) })}\n`;
  if ((await readFile(file, 'utf8').catch(() => '')) === body) return;
  await writeFile(file, body, { mode: 0o644 });
}

async function ownerOf(cluster: string): Promise<string | null> {
  try {
    const { pointer } = JSON.parse(await readFile(ownerFile(cluster), 'utf8')) as { pointer?: unknown };
    return typeof pointer === 'string' ? pointer : null;
  } catch {
    return null;
  }
}

async function serverRunning(cluster: string): Promise<boolean> {
  const pidFile = path.join(cluster, 'postmaster.pid');
  if (!existsSync(pidFile)) return false;
  const pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).split('\n')[0]);
  // An unreadable or odd pid file is treated as a running server: never guess in favour of deleting.
  return !pid || alive(pid);
}

async function linkedHere(pointer: string, cluster: string): Promise<boolean> {
  const st = await lstat(pointer).catch(() => null);
  if (!st?.isSymbolicLink()) return false;
  return path.resolve(path.dirname(pointer), await readlink(pointer)) === path.resolve(cluster);
}

/**
 * Removes the stale clusters under `home`/clusters and returns their paths. A cluster without an owner record (made
 * before records existed, or being created right now) is never touched.
 */
export async function removeStaleClusters(
  home: string,
  log: (m: string) => void,
  opts: { now?: number; graceMs?: number } = {},
): Promise<string[]> {
  const now = opts.now ?? Date.now();
  const grace = opts.graceMs ?? STALE_CLUSTER_GRACE_MS;
  const root = path.join(home, 'clusters');
  const removed: string[] = [];
  for (const name of await readdir(root).catch(() => [] as string[])) {
    if (!CLUSTER_NAME.test(name)) continue;
    const cluster = path.join(root, name);
    const pointer = await ownerOf(cluster);
    if (!pointer) continue;
    const st = await stat(cluster).catch(() => null);
    if (!st?.isDirectory() || now - st.mtimeMs < grace) continue;
    if ((await linkedHere(pointer, cluster)) || (await serverRunning(cluster))) continue;
    await rm(cluster, { recursive: true, force: true });
    await rm(ownerFile(cluster), { force: true });
    log(`Removed the embedded PostgreSQL cluster ${cluster}: ${pointer} no longer uses it`);
    removed.push(cluster);
  }
  return removed;
}
