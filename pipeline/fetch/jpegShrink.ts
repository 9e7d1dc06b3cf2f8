// JPEG shrink-on-load at the exact factor a resize needs, which sharp itself declines for whole-number ratios.
import { randomBytes } from 'node:crypto';
import { unlink, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import sharp, { type Sharp, type SharpOptions } from 'sharp';

/**
 * The factor libjpeg should decode at for a reduction by `shrink`, or null when sharp's own choice is as
 * good. Sharp picks the largest of 8/4/2 within the reduction but halves it when the whole-number part of
 * the reduction equals it (to dodge libjpeg's rounding of odd sizes). So 1024 px → 256 px, Flickr's `_b`
 * size to our thumbnail, decodes at 1/2 and then resamples 2×: 4.6 ms per image on the development machine,
 * against 3.2 ms decoding at 1/4 (`npm run bench -- analyze`). Our callers accept the ≤ 1 px that libjpeg's
 * rounding can cost.
 */
export function exactShrinkFactor(shrink: number): 2 | 4 | 8 | null {
  const whole = Math.floor(shrink);
  return whole === 2 || whole === 4 || whole === 8 ? whole : null;
}

/**
 * Runs `pipeline` on `bytes` loaded with libjpeg scaling by `factor`. sharp passes that load option only
 * through libvips' `file[option]` syntax, so the bytes go to a private temporary file for the duration.
 * Returns null, having changed nothing, when no temporary file can be written: the caller then decodes from
 * memory (slower, same result).
 */
export async function withJpegShrink<T>(
  bytes: Buffer,
  factor: 2 | 4 | 8,
  options: SharpOptions,
  pipeline: (img: Sharp) => Promise<T>,
): Promise<T | null> {
  const dir = os.tmpdir();
  // libvips reads a trailing [...] as load options: a directory name with brackets would confuse it.
  if (/[[\]]/.test(dir)) return null;
  const file = path.join(dir, `quarry-decode-${process.pid}-${randomBytes(6).toString('hex')}.jpg`);
  try {
    await writeFile(file, bytes, { flag: 'wx', mode: 0o600 });
  } catch {
    await unlink(file).catch(() => {});
    return null;
  }
  try {
    return await pipeline(sharp(`${file}[shrink=${factor}]`, options));
  } finally {
    await unlink(file).catch(() => {});
  }
}
