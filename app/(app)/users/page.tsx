import { requirePageUser } from '@/lib/auth/guard';
import { UsersAdmin } from './UsersAdmin';

export const dynamic = 'force-dynamic';

export default async function UsersPage() {
  const me = await requirePageUser('admin', '/users');
  return (
    <div className="space-y-6">
      <h1 className="text-2xl font-semibold">Users</h1>
      <UsersAdmin meId={me.id} />
    </div>
  );
}
