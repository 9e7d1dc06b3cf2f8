// Writes a file so that readers never see it half-written: a temporary name in the same folder, then rename.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * A failure of our own disk (permissions, full, read-only, a file where a folder belongs, I/O error) while writing under
 * DATA_DIR. It says nothing about the item being written, so callers must never record it as that item's fault: it
 * fails the batch, and the item is retried once the disk is fixed.
 */
export class LocalDiskError extends Error {
  readonly code: string;
  constructor(
    readonly file: string,
    cause: unknown,
  ) {
    const code = (cause as NodeJS.ErrnoException)?.code ?? 'EIO';
    super(`cannot write ${file}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'LocalDiskError';
    this.code = code;
  }
}

/** True for a LocalDiskError, or a Node filesystem error (it carries the syscall: mkdir, open, write, rename…). */
export function isLocalDiskError(e: unknown): e is LocalDiskError | NodeJS.ErrnoException {
  if (e instanceof LocalDiskError) return true;
  const x = e as NodeJS.ErrnoException | null;
  return !!x && typeof x.code === 'string' && /^E[A-Z]+$/.test(x.code) && typeof x.syscall === 'string';
}

export async function writeFileAtomic(file: string, bytes: Buffer): Promise<string> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(tmp, bytes);
    await rename(tmp, file);
  } catch (e) {
    await unlink(tmp).catch(() => {});
    throw new LocalDiskError(file, e);
  }
  return file;
}
