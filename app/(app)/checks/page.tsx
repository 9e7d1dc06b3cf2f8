import { requirePageUser } from '@/lib/auth/guard';
import { CheckIndex } from './CheckIndex';

export const dynamic = 'force-dynamic';

export default async function ChecksPage() {
  await requirePageUser(undefined, '/checks');
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Checks</h1>
      <CheckIndex />
    </div>
  );
}
