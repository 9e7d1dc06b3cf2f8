import { requirePageUser } from '@/lib/auth/guard';
import { ExportsPanel } from './ExportsPanel';

export const dynamic = 'force-dynamic';

export default async function ExportPage() {
  await requirePageUser('admin', '/export');
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Export</h1>
      <ExportsPanel />
    </div>
  );
}
