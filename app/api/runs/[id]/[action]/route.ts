import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { json, parseWith, route } from '@/lib/http';
import { getRun } from '@/lib/queries/runs';
import { appControl } from '@/pipeline/runs/appControl';
import { cancelRun, resumeRun, retryFailed } from '@/pipeline/runs/control';

export const dynamic = 'force-dynamic';

const ACTIONS = { cancel: cancelRun, resume: resumeRun, 'retry-failed': retryFailed } as const;
const paramsSchema = z.object({
  id: z.string().uuid(),
  action: z.enum(Object.keys(ACTIONS) as [keyof typeof ACTIONS]),
});

/** POST /api/runs/:id/cancel | resume | retry-failed */
export const POST = route(async (_req, ctx: { params: Promise<{ id: string; action: string }> }) => {
  await requireUser('admin');
  const { id, action } = parseWith(paramsSchema, await ctx.params);
  await ACTIONS[action](id, appControl());
  return json({ run: await getRun(id) });
});
