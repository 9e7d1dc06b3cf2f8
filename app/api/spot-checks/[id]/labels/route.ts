import { z } from 'zod';
import { SPOT_LABEL_KEYS } from '@/lib/reviewVocabulary';
import { requireUser } from '@/lib/auth/guard';
import { json, parseBody, parseWith, route } from '@/lib/http';
import { labelSpotCheckItem } from '@/lib/queries/spotChecks';

export const dynamic = 'force-dynamic';

const idParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9]+$/i),
});
const bodySchema = z.object({
  photoId: z.string().min(1).max(64),
  labels: z
    .array(z.enum(SPOT_LABEL_KEYS))
    .max(SPOT_LABEL_KEYS.length)
    .refine((l) => !(l.includes('fine') && l.length > 1), {
      message: '"fine" cannot be combined with a problem',
    }),
  requestId: z
    .string()
    .min(8)
    .max(100)
    .regex(/^[A-Za-z0-9_.-]+$/),
});

/** Records a photo's label set (the newest set counts). */
export const POST = route(async (req, ctx: { params: Promise<{ id: string }> }) => {
  const user = await requireUser();
  const body = await parseBody(req, bodySchema);
  const { id } = parseWith(idParams, await ctx.params);
  return json(await labelSpotCheckItem({ spotCheckId: id, userId: user.id, ...body }), { status: 201 });
});
