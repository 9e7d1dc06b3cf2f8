import { requireUser } from '@/lib/auth/guard';
import { json, route } from '@/lib/http';
import { currentAnnBuild, describeBuildWait } from '@/pipeline/runs/annBuildWait';

export const dynamic = 'force-dynamic';

/** The ANN index build waiting or running, if one is, in words (queued how long, whether any worker takes jobs). */
export const GET = route(async () => {
  await requireUser();
  const build = await currentAnnBuild();
  return json({ build, message: build ? describeBuildWait(build) : null });
});
