import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { env } from '@/lib/env';
import { json, parseBody, route } from '@/lib/http';
import { claimNextAccount } from '@/lib/queries/review';
import { nsidParams, orderSchema, pageTokenSchema } from '../params';

export const dynamic = 'force-dynamic';

const bodySchema = z.object({
  order: orderSchema,
  /** The account on screen and those just decided: set when reserving the next account to prefetch. */
  exclude: z.array(nsidParams.shape.nsid).max(50).default([]),
  pageToken: pageTokenSchema.optional(),
});

/** Claims (or, with `exclude`, reserves) the next account to review; `lease: null` when the queue is done. */
export const POST = route(async (req) => {
  const user = await requireUser();
  const { order, exclude, pageToken } = await parseBody(req, bodySchema);
  const lease = await claimNextAccount(
    user.id,
    order,
    { topN: env.REVIEW_TOP_ACCOUNTS, leaseMinutes: env.REVIEW_LEASE_MINUTES, goldRate: env.REVIEW_GOLD_RATE },
    exclude,
    pageToken ?? null,
  );
  return json({ lease });
});
