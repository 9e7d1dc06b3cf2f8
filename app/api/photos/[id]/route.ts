import { requireUser } from '@/lib/auth/guard';
import { env } from '@/lib/env';
import { json, parseWith, route } from '@/lib/http';
import { photoIdParams } from '@/lib/photoIdParams';
import { getPhotoDetail } from '@/lib/queries/photos';

export const dynamic = 'force-dynamic';

export const GET = route(async (_req, ctx: { params: Promise<{ id: string }> }) => {
  await requireUser();
  const { id } = parseWith(photoIdParams, await ctx.params);
  return json(await getPhotoDetail(id, env.FLICKR_LICENSES.map(Number)));
});
