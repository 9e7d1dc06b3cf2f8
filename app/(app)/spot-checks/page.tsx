import { requirePageUser } from '@/lib/auth/guard';
import { SpotCheckList } from './SpotCheckList';

export const dynamic = 'force-dynamic';

export default async function SpotChecksPage() {
  await requirePageUser(undefined, '/spot-checks');
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Spot checks</h1>
      <SpotCheckList />
    </div>
  );
}
