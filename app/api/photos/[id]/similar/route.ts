import { z } from 'zod';
import { requireUser } from '@/lib/auth/guard';
import { json, parseWith, route } from '@/lib/http';
import { photoIdParams } from '@/lib/photoIdParams';
import { findSimilarPhotos } from '@/pipeline/clip/similarPhotos';

export const dynamic = 'force-dynamic';

const querySchema = z.object({ k: z.coerce.number().int().min(1).max(48).default(12) });

/** A photo's most similar photos across all accounts by CLIP embedding, with their cosine. */
export const GET = route(async (req, ctx: { params: Promise<{ id: string }> }) => {
  await requireUser();
  const { id } = parseWith(photoIdParams, await ctx.params);
  const { k } = parseWith(querySchema, Object.fromEntries(new URL(req.url).searchParams));
  return json(await findSimilarPhotos(id, k));
});
