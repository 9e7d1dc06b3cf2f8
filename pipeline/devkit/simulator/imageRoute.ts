// Serves a universe's images at static-host paths: 404 for deleted or unknown, Range requests, injected faults.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { renderImage } from '../universe/images.ts';
import type { FaultState } from './faults.ts';
import type { ByteLru } from './lru.ts';
import { IMAGE_PATH, renditionBySuffix } from './sizes.ts';
import type { UniverseIndex } from './universeIndex.ts';

/** Parses a single `bytes=a-b`, `bytes=a-` or `bytes=-n` range; null when absent, 'bad' when unsatisfiable. */
export function parseRange(
  header: string | undefined,
  size: number,
): { start: number; end: number } | null | 'bad' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return 'bad';
  let start: number;
  let end: number;
  if (m[1] === '') {
    start = Math.max(0, size - Number(m[2]));
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  return start > end || start >= size ? 'bad' : { start, end };
}

export function isImagePath(pathname: string): boolean {
  return IMAGE_PATH.test(pathname);
}

export async function serveImage(
  req: IncomingMessage,
  res: ServerResponse,
  pathname: string,
  ctx: { index: UniverseIndex; cache: ByteLru; faults: FaultState },
): Promise<void> {
  const m = IMAGE_PATH.exec(pathname)!;
  const [, server, id, secret, suffix = ''] = m;
  const photo = ctx.index.byId.get(id);
  const rendition =
    photo && !photo.deleted && photo.server === server ? renditionBySuffix(photo, suffix) : undefined;
  if (!photo || !rendition || rendition.secret !== secret) {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('Not Found');
    return;
  }
  const fault = ctx.faults.image();
  if (fault === 'error') {
    res.writeHead(503, { 'content-type': 'text/plain' }).end('Service Unavailable');
    return;
  }
  const key = `${id}_${suffix}`;
  const body = await ctx.cache.get(key, () =>
    renderImage(photo, { width: rendition.width, height: rendition.height, exif: suffix === 'o' }),
  );
  const range = parseRange(req.headers.range, body.length);
  if (range === 'bad') {
    res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
    return;
  }
  const slice = range ? body.subarray(range.start, range.end + 1) : body;
  const headers: Record<string, string | number> = {
    'content-type': 'image/jpeg',
    'content-length': slice.length,
    'accept-ranges': 'bytes',
    'cache-control': 'max-age=315360000',
    etag: `"${key}-${body.length}"`,
  };
  if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${body.length}`;
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  if (fault === 'truncate') {
    // Declare the full length, send part of it, then drop the connection, as a broken download looks.
    res.write(slice.subarray(0, Math.floor(slice.length / 2)), () => res.destroy());
    return;
  }
  res.end(slice);
}
