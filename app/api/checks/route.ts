import { requireUser } from '@/lib/auth/guard';
import { json, route } from '@/lib/http';
import { env } from '@/lib/env';
import { listCheckSummaries } from '@/lib/queries/overrides';

export const dynamic = 'force-dynamic';

export const GET = route(async () => {
  await requireUser();
  return json({ data: await listCheckSummaries({ watermarkMinPhotos: env.WATERMARK_MIN_PHOTOS }) });
});
