import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { env } from '@/lib/env';
import { json, parseWith, route } from '@/lib/http';
import { getPhotoDetail } from '@/lib/queries/photos';

export const dynamic = 'force-dynamic';

const paramsSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/),
});

export const GET = route(async (_req, ctx: { params: Promise<{ id: string }> }) => {
  await requireUser();
  const { id } = parseWith(paramsSchema, await ctx.params);
  return json(await getPhotoDetail(id, env.FLICKR_LICENSES.map(Number)));
});
