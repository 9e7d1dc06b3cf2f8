import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { CHECK_NAMES } from '@/lib/checks';
import { json, parseQuery, parseWith, route } from '@/lib/http';
import { listCheckPhotos } from '@/lib/queries/overrides';

export const dynamic = 'force-dynamic';

const paramsSchema = z.object({ check: z.enum(CHECK_NAMES as [string, ...string[]]) });
const querySchema = z.object({
  verdict: z.enum(['fail', 'uncertain']).optional(),
  status: z.enum(['open', 'overridden']).optional(),
  minScore: z.coerce.number().min(0).max(1).optional(),
  maxScore: z.coerce.number().min(0).max(1).optional(),
  account: z
    .string()
    .max(64)
    .regex(/^[A-Za-z0-9@_.-]+$/)
    .optional(),
  license: z.coerce.number().int().min(0).max(20).optional(),
  page: z.coerce.number().int().min(1).default(1),
  pageSize: z.coerce.number().int().min(1).max(1000).default(200),
});

/** The photos the check failed or was uncertain about, highest score first, with evidence and overrides. */
export const GET = route(async (req, ctx: { params: Promise<{ check: string }> }) => {
  await requireUser();
  const q = parseQuery(req, querySchema);
  const { check } = parseWith(paramsSchema, await ctx.params);
  return json(await listCheckPhotos(check as (typeof CHECK_NAMES)[number], q));
});
