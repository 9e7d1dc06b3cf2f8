import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { CHECK_NAMES } from '@/lib/checks';
import { json, parseWith, route } from '@/lib/http';
import { listOverrideBatches } from '@/lib/queries/overrideBatches';

export const dynamic = 'force-dynamic';

const paramsSchema = z.object({ check: z.enum(CHECK_NAMES as [string, ...string[]]) });

/** The check's newest bulk-override batches (and their undos), newest first. */
export const GET = route(async (_req, ctx: { params: Promise<{ check: string }> }) => {
  await requireUser();
  const { check } = parseWith(paramsSchema, await ctx.params);
  return json({ data: await listOverrideBatches(check, 10) });
});
