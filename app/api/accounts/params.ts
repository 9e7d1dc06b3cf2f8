// Input shapes shared by the account review routes.
import { z } from 'zod';
import { QUEUE_ORDERS } from '@/lib/reviewVocabulary';
import { parseWith } from '@/lib/http';

/** Flickr NSIDs look like 12345678@N01; allow the characters they and test fixtures use. */
export const nsidParams = z.object({
  nsid: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9@_.-]+$/),
});
export const orderSchema = z.enum(QUEUE_ORDERS).default('rank');
/** A review page's random token (newRequestId): leases taken under it end when the page is left. */
export const pageTokenSchema = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);
export const requestIdSchema = z
  .string()
  .min(8)
  .max(100)
  .regex(/^[A-Za-z0-9_:.-]+$/);

export async function nsidFrom(ctx: { params: Promise<{ nsid: string }> }): Promise<string> {
  const raw = await ctx.params;
  return parseWith(nsidParams, { nsid: decodeURIComponent(raw.nsid) }).nsid;
}
