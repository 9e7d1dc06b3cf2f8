import { requireUser } from '@/lib/auth/guard';
import { json, route } from '@/lib/http';
import { findAccountLookalikes } from '@/pipeline/clip/accountLookalikes';
import { nsidFrom } from '../../params';

export const dynamic = 'force-dynamic';

/** The account's most recent photos' nearest photos in other accounts (CLIP embeddings, the saved ANN index). */
export const GET = route(async (_req, ctx: { params: Promise<{ nsid: string }> }) => {
  await requireUser();
  const nsid = await nsidFrom(ctx);
  return json(await findAccountLookalikes(nsid));
});
