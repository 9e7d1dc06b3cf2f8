import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { ForbiddenError } from '@/lib/errors';
import { parseQuery, parseWith, route } from '@/lib/http';
import { getSpotCheck } from '@/lib/queries/spotChecks';
import { spotCheckItemsCsv, spotCheckSummaryCsv } from '@/lib/stats/spotCheckCsv';

export const dynamic = 'force-dynamic';

const idParams = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9]+$/i),
});
const querySchema = z.object({ kind: z.enum(['summary', 'items']).default('summary') });

/** The estimate table (or the labelled items) as a CSV download. */
export const GET = route(async (req, ctx: { params: Promise<{ id: string }> }) => {
  const user = await requireUser();
  const { kind } = parseQuery(req, querySchema);
  const { id } = parseWith(idParams, await ctx.params);
  const detail = await getSpotCheck(id, { admin: user.role === 'admin' });
  if (kind === 'summary' && !detail.estimates)
    throw new ForbiddenError('The estimates of this spot-check are shown to admins');
  const body = kind === 'items' ? spotCheckItemsCsv(detail) : spotCheckSummaryCsv(detail);
  return new Response(body, {
    headers: {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="spot-check-${id}-${kind}.csv"`,
    },
  });
});
