import { requirePageUser } from '@/lib/auth/guard';
import { SpotCheckReview } from './SpotCheckReview';

export const dynamic = 'force-dynamic';

export default async function SpotCheckPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const user = await requirePageUser(undefined, `/spot-checks/${id}`);
  return <SpotCheckReview id={id} isAdmin={user.role === 'admin'} />;
}
