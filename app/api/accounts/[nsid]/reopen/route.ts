import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { json, parseBody, route } from '@/lib/http';
import { reopenAccount } from '@/lib/queries/doubleReview';
import { nsidFrom, requestIdSchema } from '../../params';

export const dynamic = 'force-dynamic';

const bodySchema = z.object({
  reason: z.string().trim().min(1, 'Say why the account goes back').max(2000),
  requestId: requestIdSchema,
});

/** Send back (admins): a decided account returns to the queue with a reason; its history keeps every step. */
export const POST = route(async (req, ctx: { params: Promise<{ nsid: string }> }) => {
  const user = await requireUser('admin');
  const body = await parseBody(req, bodySchema);
  const nsid = await nsidFrom(ctx);
  return json(
    await reopenAccount({ nsid, userId: user.id, reason: body.reason, requestId: body.requestId }),
    { status: 201 },
  );
});
