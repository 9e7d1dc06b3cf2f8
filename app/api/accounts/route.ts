import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { env } from '@/lib/env';
import { json, parseQuery, route } from '@/lib/http';
import { listReviewQueue } from '@/lib/queries/review';
import { orderSchema } from './params';

export const dynamic = 'force-dynamic';

const querySchema = z.object({
  order: orderSchema,
  status: z.enum(['pending', 'approved', 'rejected']).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(500).default(100),
});

export const GET = route(async (req) => {
  const user = await requireUser();
  const q = parseQuery(req, querySchema);
  return json(await listReviewQueue(user.id, { ...q, topN: env.REVIEW_TOP_ACCOUNTS }));
});
