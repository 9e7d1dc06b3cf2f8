// Content-addressed image store under DATA_DIR/images: thumbnails, CLIP crops and previews, written atomically.
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { writeFileAtomic } from '../atomicWrite.ts';
import { dataDir } from '../../lib/env.ts';

export const IMAGE_KINDS = ['thumbs', 'clip', 'previews'] as const;
export type ImageKind = (typeof IMAGE_KINDS)[number];

const KEY = /^[0-9a-f]{64}$/;

export function isImageKey(key: string): boolean {
  return KEY.test(key);
}

export function imagesRoot(root = dataDir()): string {
  return path.resolve(root, 'images');
}

/** Path of a stored image; only 64-hex keys are accepted, so no key can escape the store. */
export function imagePath(kind: ImageKind, key: string, root?: string): string {
  if (!KEY.test(key)) throw new Error(`invalid image key: ${JSON.stringify(key).slice(0, 80)}`);
  if (!IMAGE_KINDS.includes(kind)) throw new Error(`invalid image kind: ${kind}`);
  return path.join(imagesRoot(root), kind, key.slice(0, 2), `${key}.webp`);
}

export const thumbPath = (hash: string, root?: string) => imagePath('thumbs', hash, root);
export const clipPath = (hash: string, root?: string) => imagePath('clip', hash, root);

/** Write to a temporary name in the same directory, then rename: readers never see a partial file. */
export async function writeImage(
  kind: ImageKind,
  key: string,
  bytes: Buffer,
  root?: string,
): Promise<string> {
  return writeFileAtomic(imagePath(kind, key, root), bytes);
}

export async function hasImage(kind: ImageKind, key: string, root?: string): Promise<boolean> {
  try {
    return (await stat(imagePath(kind, key, root))).size > 0;
  } catch {
    return false;
  }
}

export async function readImage(kind: ImageKind, key: string, root?: string): Promise<Buffer | null> {
  try {
    return await readFile(imagePath(kind, key, root));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}
