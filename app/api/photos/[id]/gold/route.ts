import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { json, parseBody, parseWith, route } from '@/lib/http';
import { photoIdParams } from '@/lib/photoIdParams';
import { getGoldPhoto, setGoldPhoto } from '@/lib/queries/goldPhotos';
import { SPOT_LABEL_KEYS } from '@/lib/reviewVocabulary';

export const dynamic = 'force-dynamic';

const bodySchema = z.object({
  /** The right spot-check label, or null to unmark. */
  answer: z.enum(SPOT_LABEL_KEYS).nullable(),
  reason: z.string().trim().min(1, 'Say why (a reason is required)').max(500),
  requestId: z
    .string()
    .min(8)
    .max(100)
    .regex(/^[A-Za-z0-9_.-]+$/),
});

/** Admins: a photo's known answer for spot-checks and the history of its marks. Reviewers never see it. */
export const GET = route(async (_req, ctx: { params: Promise<{ id: string }> }) => {
  await requireUser('admin');
  const { id } = parseWith(photoIdParams, await ctx.params);
  return json(await getGoldPhoto(id));
});

/** Admins mark a photo with a known answer (or unmark it: `answer: null`), always with a reason. */
export const POST = route(async (req, ctx: { params: Promise<{ id: string }> }) => {
  const user = await requireUser('admin');
  const body = await parseBody(req, bodySchema);
  const { id } = parseWith(photoIdParams, await ctx.params);
  return json(await setGoldPhoto({ photoId: id, userId: user.id, ...body }));
});
