import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { NotFoundError } from '@/lib/errors';
import { parseQuery, parseWith, route } from '@/lib/http';
import { readImage } from '@/pipeline/fetch/imageStore';

export const dynamic = 'force-dynamic';

// Only 64-hex keys: nothing else can name a file, so no request can leave the image store.
const paramsSchema = z.object({ key: z.string().regex(/^[0-9a-f]{64}$/, 'must be a sha256 hex key') });
const querySchema = z.object({ kind: z.enum(['thumb', 'clip']).default('thumb') });

/** A stored thumbnail (or CLIP crop) by content hash; content-addressed, so browsers may cache it forever. */
export const GET = route(async (req, ctx: { params: Promise<{ key: string }> }) => {
  await requireUser();
  const { key } = parseWith(paramsSchema, await ctx.params);
  const { kind } = parseQuery(req, querySchema);
  const etag = `"${key}${kind === 'clip' ? '-clip' : ''}"`;
  const headers = { 'cache-control': 'private, max-age=31536000, immutable', etag };
  if (req.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  const bytes = await readImage(kind === 'clip' ? 'clip' : 'thumbs', key);
  if (!bytes) throw new NotFoundError('Thumbnail not found');
  return new Response(new Uint8Array(bytes), {
    headers: { ...headers, 'content-type': 'image/webp', 'content-length': String(bytes.length) },
  });
});
