// Relocated embedded-PostgreSQL clusters whose DATA_DIR is gone are removed; a cluster in use, running, unrecorded or
// recently used never is.
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, symlink, utimes, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordClusterOwner, removeStaleClusters } from '../../../lib/server/staleClusters.ts';

let tmp = '';
let home = '';
const DAY = 24 * 3600 * 1000;

beforeEach(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'quarry-stale-'));
  home = path.join(tmp, 'home');
  await mkdir(path.join(home, 'clusters'), { recursive: true });
});
afterEach(() => rm(tmp, { recursive: true, force: true }));

/** A cluster folder with PG_VERSION, linked from a DATA_DIR (or not), last touched `ageMs` ago. */
async function cluster(
  id: string,
  opts: { linked: boolean; ageMs: number; record?: boolean; pid?: number },
): Promise<{ dir: string; dataDir: string }> {
  const dir = path.join(home, 'clusters', id);
  await mkdir(dir);
  await writeFile(path.join(dir, 'PG_VERSION'), '18\n');
  if (opts.pid !== undefined)
    await writeFile(path.join(dir, 'postmaster.pid'), `${opts.pid}\n${dir}\n0\n5432\n`);
  const dataDir = path.join(tmp, `data-${id}`);
  await mkdir(dataDir);
  await symlink(dir, path.join(dataDir, 'postgres'));
  if (opts.record !== false) await recordClusterOwner(dir, path.join(dataDir, 'postgres'));
  if (!opts.linked) await rm(dataDir, { recursive: true });
  const t = new Date(Date.now() - opts.ageMs);
  await utimes(dir, t, t);
  return { dir, dataDir };
}

describe('stale relocated clusters', () => {
  it('removes only the cluster whose DATA_DIR was deleted, is not running, unrecorded or recently used', async () => {
    const gone = await cluster('a000000000000001', { linked: false, ageMs: 2 * DAY });
    const inUse = await cluster('a000000000000002', { linked: true, ageMs: 30 * DAY });
    const running = await cluster('a000000000000003', { linked: false, ageMs: 2 * DAY, pid: process.pid });
    const legacy = await cluster('a000000000000004', { linked: false, ageMs: 30 * DAY, record: false });
    const recent = await cluster('a000000000000005', { linked: false, ageMs: 60_000 });
    const lines: string[] = [];
    const removed = await removeStaleClusters(home, (m) => lines.push(m));
    expect(removed).toEqual([gone.dir]);
    expect(existsSync(gone.dir)).toBe(false);
    expect(existsSync(`${gone.dir}.owner`)).toBe(false);
    for (const kept of [inUse, running, legacy, recent]) expect(existsSync(kept.dir)).toBe(true);
    expect(lines).toEqual([
      `Removed the embedded PostgreSQL cluster ${gone.dir}: ${path.join(gone.dataDir, 'postgres')} no longer uses it`,
    ]);
    // A second pass finds nothing more to do.
    expect(await removeStaleClusters(home, () => {})).toEqual([]);
  });

  it('a DATA_DIR that was moved claims its cluster back when started, and a stopped server (dead pid) does not hold it', async () => {
    const c = await cluster('b000000000000001', { linked: true, ageMs: 2 * DAY, pid: 2 ** 22 + 12345 });
    const moved = path.join(tmp, 'moved-data');
    await mkdir(moved);
    await symlink(c.dir, path.join(moved, 'postgres'));
    await rm(c.dataDir, { recursive: true });
    await recordClusterOwner(c.dir, path.join(moved, 'postgres'));
    expect(await removeStaleClusters(home, () => {})).toEqual([]);
    await rm(moved, { recursive: true });
    expect(await removeStaleClusters(home, () => {})).toEqual([c.dir]);
  });
});
