import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { json, parseBody, route } from '@/lib/http';
import { adjudicateAccount } from '@/lib/queries/doubleReview';
import { REJECT_REASON_KEYS } from '@/lib/reviewVocabulary';
import { nsidFrom, requestIdSchema } from '../../params';

export const dynamic = 'force-dynamic';

const bodySchema = z
  .discriminatedUnion('decision', [
    z.object({ decision: z.literal('approve'), note: z.string().max(2000).optional() }),
    z.object({
      decision: z.literal('reject'),
      reason: z.enum(REJECT_REASON_KEYS),
      note: z.string().max(2000).optional(),
    }),
  ])
  .and(z.object({ requestId: requestIdSchema }));

/** An admin decides an account whose two blind reviews disagreed; 409 when it is not waiting for adjudication. */
export const POST = route(async (req, ctx: { params: Promise<{ nsid: string }> }) => {
  const user = await requireUser('admin');
  const body = await parseBody(req, bodySchema);
  const nsid = await nsidFrom(ctx);
  const result = await adjudicateAccount({
    nsid,
    userId: user.id,
    decision: body.decision,
    reason: body.decision === 'reject' ? body.reason : null,
    note: body.note?.trim() || null,
    requestId: body.requestId,
  });
  return json(result, { status: 201 });
});
