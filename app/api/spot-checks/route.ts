import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { env } from '@/lib/env';
import { json, parseBody, route } from '@/lib/http';
import { createSpotCheck, spotCheckTrend } from '@/lib/queries/spotChecks';

export const dynamic = 'force-dynamic';

const bodySchema = z.object({
  name: z.string().trim().min(1).max(200),
  population: z.enum(['included', 'all']),
  size: z.number().int().min(1).max(10_000),
  seed: z.string().trim().max(100).optional(),
});

/** Every spot-check with its estimates, oldest first, so the page can show how rates move between samples. */
export const GET = route(async () => {
  const user = await requireUser();
  return json({ data: await spotCheckTrend({ admin: user.role === 'admin' }) });
});

export const POST = route(async (req) => {
  const user = await requireUser();
  const body = await parseBody(req, bodySchema);
  const spotCheck = await createSpotCheck({
    ...body,
    seed: body.seed || randomBytes(6).toString('hex'),
    userId: user.id,
    licenses: env.FLICKR_LICENSES.map(Number),
    goldRate: env.REVIEW_GOLD_RATE,
  });
  return json({ spotCheck }, { status: 201 });
});
