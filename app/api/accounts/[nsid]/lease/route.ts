import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { env } from '@/lib/env';
import { json, parseBody, route } from '@/lib/http';
import { ConflictError, NotFoundError } from '@/lib/errors';
import { acquireLease, releaseLeases } from '@/lib/queries/review';
import { nsidFrom, nsidParams, pageTokenSchema } from '../../params';

const bodySchema = z.object({
  keep: z.array(nsidParams.shape.nsid).max(5).default([]),
  pageToken: pageTokenSchema.optional(),
});

export const dynamic = 'force-dynamic';

/** Takes or renews the caller's lease on the account (keeping the reserved next one); `held: false` names the holder. */
export const POST = route(async (req, ctx: { params: Promise<{ nsid: string }> }) => {
  const user = await requireUser();
  const nsid = await nsidFrom(ctx);
  const { keep, pageToken } = await parseBody(req, bodySchema);
  return json(await acquireLease(nsid, user.id, env.REVIEW_LEASE_MINUTES, keep, pageToken ?? null));
});

/** Ends the caller's lease: `{ released: true }`, `{ released: false, reason: 'not leased' }`, or 409 when another reviewer holds it. */
export const DELETE = route(async (_req, ctx: { params: Promise<{ nsid: string }> }) => {
  const user = await requireUser();
  const nsid = await nsidFrom(ctx);
  const [outcome] = await releaseLeases([nsid], user.id);
  if (outcome.reason === 'not yours')
    throw new ConflictError('Another reviewer holds this account; their lease was left alone', {
      code: 'not_yours',
      released: false,
    });
  if (outcome.reason === 'not found') throw new NotFoundError(`Account ${nsid} not found`);
  return json({ released: outcome.released, ...(outcome.reason ? { reason: outcome.reason } : {}) });
});
