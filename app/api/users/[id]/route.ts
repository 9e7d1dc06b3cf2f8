import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { json, parseBody, parseWith, route } from '@/lib/http';
import { changeUser, userPatchSchema } from '@/lib/userAdmin';

export const dynamic = 'force-dynamic';

const paramsSchema = z.object({
  id: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9]+$/i),
});

export const PATCH = route(async (req, ctx: { params: Promise<{ id: string }> }) => {
  const actor = await requireUser('admin');
  const { id } = parseWith(paramsSchema, await ctx.params);
  const patch = await parseBody(req, userPatchSchema);
  return json({ user: await changeUser(actor.id, id, patch) });
});
