// Fetch stage for one photo: download its analysis image, validate and process it, store thumbnail and CLIP crop.
import { createHash } from 'node:crypto';
import { encodeCropHashes } from '../fingerprints/cropHash.ts';
import { hashToBigInt } from '../fingerprints/phash.ts';
import type { FetchOutcome, FetchPhotoInput } from '../../lib/domain/fetchOutcome.ts';
import { analysisUrl } from './choose.ts';
import { download, type DownloadOptions } from './download.ts';
import { hasImage, writeImage } from './imageStore.ts';
import { processImage } from './process.ts';

export type FetchPhotoOptions = DownloadOptions & { clip?: boolean; dataDir?: string };

export async function fetchPhoto(photo: FetchPhotoInput, opts: FetchPhotoOptions): Promise<FetchOutcome> {
  const url = analysisUrl(photo);
  if (!url)
    return { id: photo.id, status: 'error', kind: 'no_url', message: 'the photo offers no image URL' };
  const res = await download(url, opts);
  if (!res.ok) {
    if (res.kind === 'unavailable') return { id: photo.id, status: 'unavailable', message: res.message };
    return { id: photo.id, status: 'error', kind: res.kind, message: res.message };
  }
  const processed = await processImage(res.bytes, { clip: opts.clip });
  if (!processed.ok)
    return { id: photo.id, status: 'error', kind: processed.kind, message: processed.message };
  const contentHash = createHash('sha256').update(res.bytes).digest('hex');
  // Content-addressed: an exact duplicate's files already exist and need no second write.
  if (!(await hasImage('thumbs', contentHash, opts.dataDir)))
    await writeImage('thumbs', contentHash, processed.thumbnail, opts.dataDir);
  if (processed.clip && !(await hasImage('clip', contentHash, opts.dataDir)))
    await writeImage('clip', contentHash, processed.clip, opts.dataDir);
  return {
    id: photo.id,
    status: 'available',
    contentHash,
    width: processed.width,
    height: processed.height,
    phash: hashToBigInt(processed.phash),
    phashWindows: encodeCropHashes(processed.crop),
  };
}
