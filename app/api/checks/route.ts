import { requireUser } from '@/lib/auth/guard';
import { json, route } from '@/lib/http';
import { listCheckSummaries } from '@/lib/queries/overrides';

export const dynamic = 'force-dynamic';

export const GET = route(async () => {
  await requireUser();
  return json({ data: await listCheckSummaries() });
});
