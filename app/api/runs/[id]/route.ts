import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { NotFoundError } from '@/lib/errors';
import { json, parseWith, route } from '@/lib/http';
import { getRun, listFailedBatches } from '@/lib/queries/runs';

export const dynamic = 'force-dynamic';

const paramsSchema = z.object({ id: z.string().uuid() });

export const GET = route(async (_req, ctx: { params: Promise<{ id: string }> }) => {
  await requireUser('admin');
  const { id } = parseWith(paramsSchema, await ctx.params);
  const run = await getRun(id);
  if (!run) throw new NotFoundError('Run not found');
  return json({ run, failedBatches: await listFailedBatches(id) });
});
