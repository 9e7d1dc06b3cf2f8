import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { env } from '@/lib/env';
import { json, parseBody, route } from '@/lib/http';
import { acquireLease, releaseLease } from '@/lib/queries/review';
import { nsidFrom, nsidParams } from '../../params';

const bodySchema = z.object({ keep: z.array(nsidParams.shape.nsid).max(5).default([]) });

export const dynamic = 'force-dynamic';

/** Takes or renews the caller's lease on the account (keeping the reserved next one); `held: false` names the holder. */
export const POST = route(async (req, ctx: { params: Promise<{ nsid: string }> }) => {
  const user = await requireUser();
  const nsid = await nsidFrom(ctx);
  const { keep } = await parseBody(req, bodySchema);
  return json(await acquireLease(nsid, user.id, env.REVIEW_LEASE_MINUTES, keep));
});

export const DELETE = route(async (_req, ctx: { params: Promise<{ nsid: string }> }) => {
  const user = await requireUser();
  const nsid = await nsidFrom(ctx);
  await releaseLease(nsid, user.id);
  return json({ released: true });
});
