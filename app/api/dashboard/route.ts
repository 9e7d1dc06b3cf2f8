import { requireUser } from '@/lib/auth/guard';
import { env } from '@/lib/env';
import { json, route } from '@/lib/http';
import { getDatasetCounts } from '@/lib/queries/dashboard';

export const dynamic = 'force-dynamic';

export const GET = route(async () => {
  await requireUser();
  return json(await getDatasetCounts(env.FLICKR_LICENSES.map(Number)));
});
