import { requireUser } from '@/lib/auth/guard';
import { json, route } from '@/lib/http';
import { serverWorkerStatus } from '@/pipeline/runs/serverWorker';

export const dynamic = 'force-dynamic';

// The web server's process and its pipeline worker child (null when IN_PROCESS_WORKER=0 or not yet started).
export const GET = route(async () => {
  await requireUser('admin');
  return json({ server: { pid: process.pid }, worker: serverWorkerStatus() });
});
