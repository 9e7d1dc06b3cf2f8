import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { json, parseWith, route } from '@/lib/http';
import { getSpotCheck } from '@/lib/queries/spotChecks';

export const dynamic = 'force-dynamic';

const idParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9]+$/i),
});

export const GET = route(async (_req, ctx: { params: Promise<{ id: string }> }) => {
  const user = await requireUser();
  const { id } = parseWith(idParams, await ctx.params);
  return json(await getSpotCheck(id, { admin: user.role === 'admin' }));
});
