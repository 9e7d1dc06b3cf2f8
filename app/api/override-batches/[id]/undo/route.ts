import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { json, parseBody, parseWith, route } from '@/lib/http';
import { undoOverrideBatch } from '@/lib/queries/overrideBatches';

export const dynamic = 'force-dynamic';

const paramsSchema = z.object({ id: z.uuid() });
const bodySchema = z.object({
  requestId: z
    .string()
    .min(8)
    .max(100)
    .regex(/^[A-Za-z0-9_.-]+$/),
});

/** Undoes a bulk override as a batch; 409 when it was already undone. */
export const POST = route(async (req, ctx: { params: Promise<{ id: string }> }) => {
  const user = await requireUser();
  const { id } = parseWith(paramsSchema, await ctx.params);
  const { requestId } = await parseBody(req, bodySchema);
  return json(await undoOverrideBatch({ userId: user.id, batchId: id, requestId }), { status: 201 });
});
