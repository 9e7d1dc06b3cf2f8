import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { CHECK_NAMES } from '@/lib/checks';
import { json, parseBody, parseWith, route } from '@/lib/http';
import { bulkOverride } from '@/lib/queries/overrideBatches';

export const dynamic = 'force-dynamic';

const paramsSchema = z.object({ check: z.enum(CHECK_NAMES as [string, ...string[]]) });
/** The check page's filter, as its GET takes it (without paging). */
const filterSchema = z
  .object({
    verdict: z.enum(['fail', 'uncertain']).optional(),
    status: z.enum(['open', 'overridden']).optional(),
    minScore: z.number().min(0).max(1).optional(),
    maxScore: z.number().min(0).max(1).optional(),
    account: z
      .string()
      .max(64)
      .regex(/^[A-Za-z0-9@_.-]+$/)
      .optional(),
    license: z.number().int().min(0).max(20).optional(),
  })
  .strict();
const bodySchema = z.object({
  filter: filterSchema,
  newVerdict: z.enum(['pass', 'fail']),
  reason: z.string().max(500).optional(),
  expectedCount: z.number().int().min(1).max(10_000_000),
  requestId: z
    .string()
    .min(8)
    .max(100)
    .regex(/^[A-Za-z0-9_.-]+$/),
});

/**
 * "Apply to all N matching": overrides every photo the filter matches as one audited batch. 409 (nothing written) when
 * the filter no longer matches the count the reviewer confirmed.
 */
export const POST = route(async (req, ctx: { params: Promise<{ check: string }> }) => {
  const user = await requireUser();
  const { check } = parseWith(paramsSchema, await ctx.params);
  const body = await parseBody(req, bodySchema);
  const batch = await bulkOverride({
    ...body,
    check: check as (typeof CHECK_NAMES)[number],
    userId: user.id,
    reason: body.reason?.trim() || null,
  });
  return json(batch, { status: 201 });
});
