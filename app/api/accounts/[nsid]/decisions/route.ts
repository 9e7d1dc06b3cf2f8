import { z } from 'zod';
import { REJECT_REASON_KEYS } from '@/lib/reviewVocabulary';
import { requireUser } from '@/lib/auth/guard';
import { env } from '@/lib/env';
import { json, parseBody, route } from '@/lib/http';
import { decideAccount, listAccountDecisions } from '@/lib/queries/decisions';
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
  .and(z.object({ requestId: requestIdSchema, expectedStatus: z.enum(['pending', 'approved', 'rejected']) }))
  .refine((b) => b.decision !== 'reject' || b.reason !== 'other' || (b.note ?? '').trim().length > 0, {
    message: '"Other" needs a note',
    path: ['note'],
  });

export const GET = route(async (_req, ctx: { params: Promise<{ nsid: string }> }) => {
  const user = await requireUser();
  const nsid = await nsidFrom(ctx);
  return json({ data: await listAccountDecisions(nsid, 200, user) });
});

/**
 * Approves or rejects the account. `expectedStatus` (the status the reviewer saw) is required: 409 when another reviewer
 * holds the account, it was decided meanwhile, or `requestId` was already used for a different request. An account drawn
 * for double review stays pending after its first decision, until a second reviewer agrees or an admin adjudicates.
 */
export const POST = route(async (req, ctx: { params: Promise<{ nsid: string }> }) => {
  const user = await requireUser();
  const body = await parseBody(req, bodySchema);
  const nsid = await nsidFrom(ctx);
  const result = await decideAccount({
    nsid,
    userId: user.id,
    decision: body.decision,
    reason: body.decision === 'reject' ? body.reason : null,
    note: body.note?.trim() || null,
    requestId: body.requestId,
    expectedStatus: body.expectedStatus,
    doubleReview: { share: env.REVIEW_DOUBLE_SHARE, topN: env.REVIEW_TOP_ACCOUNTS },
  });
  return json(result, { status: 201 });
});
