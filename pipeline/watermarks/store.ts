// Where estimated-watermark PNGs live: DATA_DIR/images/watermarks/<account key>.png, written atomically.
import { readFile, unlink } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../atomicWrite.ts';

/** A filename-safe key for an account: nsids look like 12345678@N01; anything else becomes '_'. */
export function watermarkImageKey(nsid: string): string {
  const safe = nsid.replace(/[^A-Za-z0-9@._-]/g, '_').replace(/^\.+/, '_');
  return safe.slice(0, 200) || '_';
}

const KEY = /^[A-Za-z0-9@_-][A-Za-z0-9@._-]{0,199}$/;

/** Path of an account's watermark image; only keys made by watermarkImageKey are accepted. */
export function watermarkImagePath(key: string, dataDir: string): string {
  if (!KEY.test(key)) throw new Error(`invalid watermark image key: ${JSON.stringify(key).slice(0, 80)}`);
  return path.join(path.resolve(dataDir, 'images'), 'watermarks', `${key}.png`);
}

export async function writeWatermarkImage(key: string, png: Buffer, dataDir: string): Promise<string> {
  return writeFileAtomic(watermarkImagePath(key, dataDir), png);
}

export async function readWatermarkImage(key: string, dataDir: string): Promise<Buffer | null> {
  try {
    return await readFile(watermarkImagePath(key, dataDir));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

export async function removeWatermarkImage(key: string, dataDir: string): Promise<void> {
  await unlink(watermarkImagePath(key, dataDir)).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });
}
