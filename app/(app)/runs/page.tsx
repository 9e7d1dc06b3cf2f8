import { requirePageUser } from '@/lib/auth/guard';
import { db } from '@/lib/db';

export const dynamic = 'force-dynamic';

export default async function RunsPage() {
  await requirePageUser('admin', '/runs');
  const runs = await db().pipelineRun.findMany({ orderBy: { createdAt: 'desc' }, take: 50 });
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Runs</h1>
      {runs.length === 0 ? <p className="text-slate-600">No pipeline runs yet.</p> : (
        <ul>{runs.map((r) => <li key={r.id}>{r.id} {r.status} {r.stages.join(', ')}</li>)}</ul>
      )}
    </div>
  );
}
