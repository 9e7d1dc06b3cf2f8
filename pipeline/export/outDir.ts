// Makes sure an export's folder exists and is writable before any work starts, with a one-line reason when not.
import { randomBytes } from 'node:crypto';
import { mkdir, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';

export class OutDirError extends Error {}

const reason = (e: unknown) => (e as NodeJS.ErrnoException).code ?? (e as Error).message;

/**
 * Creates `dir` level by level and proves it writable with a probe file. Not `mkdir(dir, { recursive: true })`:
 * Node's recursive mkdir spins forever at 100 % CPU when the parent exists but refuses the child with ENOENT,
 * as /proc and other virtual file systems do (`--out /proc/nope` hung the export that way).
 */
export async function prepareOutDir(dir: string): Promise<string> {
  const target = path.resolve(dir);
  const missing: string[] = [];
  let at = target;
  for (;;) {
    const info = await stat(at).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw new OutDirError(`cannot use ${target} as the export folder: ${at}: ${reason(e)}`);
    });
    if (info) {
      if (!info.isDirectory())
        throw new OutDirError(`cannot use ${target} as the export folder: ${at} is not a folder`);
      break;
    }
    missing.unshift(at);
    const parent = path.dirname(at);
    if (parent === at) break;
    at = parent;
  }
  for (const d of missing) {
    await mkdir(d).catch((e: NodeJS.ErrnoException) => {
      if (e.code !== 'EEXIST')
        throw new OutDirError(`cannot create the export folder ${target}: ${d}: ${reason(e)}`);
    });
  }
  const probe = path.join(target, `.quarry-write-test-${randomBytes(4).toString('hex')}`);
  try {
    await writeFile(probe, 'ok', { flag: 'wx' });
  } catch (e) {
    throw new OutDirError(`cannot write to the export folder ${target}: ${reason(e)}`);
  } finally {
    await rm(probe, { force: true }).catch(() => {});
  }
  return target;
}
