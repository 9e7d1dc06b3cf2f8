import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { json, parseBody, route } from '@/lib/http';
import { releaseLeases } from '@/lib/queries/review';
import { nsidParams, pageTokenSchema } from '../params';

export const dynamic = 'force-dynamic';

const bodySchema = z
  .object({ nsids: z.array(nsidParams.shape.nsid).max(5), pageToken: pageTokenSchema.optional() })
  .refine((b) => b.nsids.length > 0 || b.pageToken, {
    message: 'Name the accounts to release or the page token',
    path: ['nsids'],
  });

/**
 * Ends the caller's leases on these accounts (the one on screen and the reserved next one) and says what happened to
 * each. The review page sends it with navigator.sendBeacon when the reviewer leaves (a text/plain JSON body; the same
 * session cookie and same-origin check as every POST). With the page's token it also ends every lease the page took,
 * even one whose claim was still in flight. Another reviewer's lease is never touched.
 */
export const POST = route(async (req) => {
  const user = await requireUser();
  const { nsids, pageToken } = await parseBody(req, bodySchema);
  return json({ data: await releaseLeases([...new Set(nsids)], user.id, pageToken ?? null) });
});
