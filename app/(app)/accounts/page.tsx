import { requirePageUser } from '@/lib/auth/guard';
import { AccountQueue } from './AccountQueue';

export const dynamic = 'force-dynamic';

export default async function AccountsPage() {
  await requirePageUser(undefined, '/accounts');
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Accounts</h1>
      <AccountQueue />
    </div>
  );
}
