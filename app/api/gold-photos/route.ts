import { requireUser } from '@/lib/auth/guard';
import { json, route } from '@/lib/http';
import { listGoldPhotos } from '@/lib/queries/goldPhotos';

export const dynamic = 'force-dynamic';

/** Admins: every known-answer photo, newest mark first. */
export const GET = route(async () => {
  await requireUser('admin');
  return json({ data: await listGoldPhotos() });
});
