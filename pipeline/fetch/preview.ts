// Review-size previews (512 px WebP) made on demand from the photo's Flickr image and cached in the image store.
import { createHash } from 'node:crypto';
import sharp from 'sharp';
import { env } from '../../lib/env.ts';
import { getPreviewSource } from '../../lib/queries/analysis.ts';
import { createAllowlist } from './allowlist.ts';
import { download } from './download.ts';
import { readImage, writeImage } from './imageStore.ts';
import { MAX_INPUT_PIXELS, sniffImage } from './validate.ts';

export const PREVIEW_LONG_SIDE = 512;

export type Preview = { bytes: Buffer; key: string };

/** The cached preview, or a fresh one; null when the photo is unknown or Flickr no longer has its image. */
export async function getPreview(photoId: string, dataDir?: string): Promise<Preview | null> {
  const src = await getPreviewSource(photoId);
  const url = src && (src.urlB ?? src.urlC ?? src.urlZ ?? src.urlM);
  if (!url) return null;
  // Keyed by the source URL, so a photo whose URL changes gets a new preview instead of a stale one.
  const key = createHash('sha256').update(`preview:${PREVIEW_LONG_SIDE}:${url}`).digest('hex');
  const cached = await readImage('previews', key, dataDir);
  if (cached) return { bytes: cached, key };
  const res = await download(url, {
    allowlist: createAllowlist(env.IMAGE_HOSTS),
    timeoutMs: env.FETCH_TIMEOUT_MS,
    maxBytes: env.FETCH_MAX_BYTES,
    retries: 1,
  });
  if (!res.ok || !sniffImage(res.bytes)) return null;
  let bytes: Buffer;
  try {
    bytes = await sharp(res.bytes, { failOn: 'error', limitInputPixels: MAX_INPUT_PIXELS })
      .rotate()
      .resize(PREVIEW_LONG_SIDE, PREVIEW_LONG_SIDE, { fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 82 })
      .toBuffer();
  } catch {
    return null;
  }
  await writeImage('previews', key, bytes, dataDir);
  return { bytes, key };
}
