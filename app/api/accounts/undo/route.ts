import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { env } from '@/lib/env';
import { json, parseBody, route } from '@/lib/http';
import { lastUndoableDecision, undoDecision } from '@/lib/queries/decisions';
import { requestIdSchema } from '../params';

export const dynamic = 'force-dynamic';

const bodySchema = z.object({
  requestId: requestIdSchema,
  decisionId: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional(),
});

/** What Z would undo for the caller. */
export const GET = route(async () => {
  const user = await requireUser();
  return json({ decision: await lastUndoableDecision(user.id) });
});

/** Undoes the caller's newest standing decision (or `decisionId`); the account returns to its previous status. */
export const POST = route(async (req) => {
  const user = await requireUser();
  const body = await parseBody(req, bodySchema);
  return json(
    await undoDecision({
      userId: user.id,
      requestId: body.requestId,
      decisionId: body.decisionId,
      leaseMinutes: env.REVIEW_LEASE_MINUTES,
    }),
  );
});
