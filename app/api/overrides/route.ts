import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { CHECK_NAMES } from '@/lib/checks';
import { json, parseBody, route } from '@/lib/http';
import { overridePhotos } from '@/lib/queries/overrides';

export const dynamic = 'force-dynamic';

const bodySchema = z.object({
  photoIds: z.array(z.string().min(1).max(64)).min(1).max(1000),
  check: z.enum(CHECK_NAMES as [string, ...string[]]),
  newVerdict: z.enum(['pass', 'fail']),
  reason: z.string().max(500).optional(),
  requestId: z
    .string()
    .min(8)
    .max(100)
    .regex(/^[A-Za-z0-9_.-]+$/),
});

/** Confirms or overrides a check's verdict on one photo or many; each photo gets an appended override. */
export const POST = route(async (req) => {
  const user = await requireUser();
  const body = await parseBody(req, bodySchema);
  return json(
    await overridePhotos({ ...body, check: body.check as (typeof CHECK_NAMES)[number], userId: user.id }),
    { status: 201 },
  );
});
