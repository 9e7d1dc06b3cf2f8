import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { json, parseQuery, route } from '@/lib/http';
import { listAccountDecisions } from '@/lib/queries/decisions';
import { getAccountReview } from '@/lib/queries/review';
import { nsidFrom } from '../params';

export const dynamic = 'force-dynamic';

const querySchema = z.object({
  sample: z.coerce.number().int().min(0).max(1000).default(48),
  flagged: z.coerce.number().int().min(0).max(10_000).default(2000),
});

/** Everything the account review page shows: facts, check shares, the photo grid and the decision history. */
export const GET = route(async (req, ctx: { params: Promise<{ nsid: string }> }) => {
  const user = await requireUser();
  const q = parseQuery(req, querySchema);
  const nsid = await nsidFrom(ctx);
  const [review, decisions] = await Promise.all([
    getAccountReview(nsid, user.id, { sampleSize: q.sample, flaggedCap: q.flagged, viewerRole: user.role }),
    listAccountDecisions(nsid, 20, user),
  ]);
  return json({ ...review, decisions });
});
