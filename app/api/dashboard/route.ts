import { requireUser } from '@/lib/auth/guard';
import { env } from '@/lib/env';
import { json, route } from '@/lib/http';
import { getDatasetCounts, getIngestOverTime, getScoreHistograms } from '@/lib/queries/dashboard';

export const dynamic = 'force-dynamic';

export const GET = route(async () => {
  await requireUser();
  const [counts, histograms, ingest] = await Promise.all([
    getDatasetCounts(env.FLICKR_LICENSES.map(Number)),
    getScoreHistograms(),
    getIngestOverTime(),
  ]);
  return json({ ...counts, histograms, ingest });
});
