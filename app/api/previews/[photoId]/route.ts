import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { NotFoundError } from '@/lib/errors';
import { parseWith, route } from '@/lib/http';
import { getPreview } from '@/pipeline/fetch/preview';

export const dynamic = 'force-dynamic';

const paramsSchema = z.object({ photoId: z.string().regex(/^[0-9]{1,20}$/, 'must be a Flickr photo id') });

/** A 512 px WebP of the photo for the review UI, made from Flickr's image on first request and cached. */
export const GET = route(async (req, ctx: { params: Promise<{ photoId: string }> }) => {
  await requireUser();
  const { photoId } = parseWith(paramsSchema, await ctx.params);
  const preview = await getPreview(photoId);
  if (!preview) throw new NotFoundError('No preview: the photo is unknown or its image is gone');
  const etag = `"${preview.key}"`;
  const headers = { 'cache-control': 'private, max-age=86400', etag };
  if (req.headers.get('if-none-match') === etag) return new Response(null, { status: 304, headers });
  return new Response(new Uint8Array(preview.bytes), {
    headers: { ...headers, 'content-type': 'image/webp', 'content-length': String(preview.bytes.length) },
  });
});
