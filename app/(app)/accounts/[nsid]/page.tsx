import { QUEUE_ORDERS, type QueueOrder } from '@/lib/reviewVocabulary';
import { requirePageUser } from '@/lib/auth/guard';
import { AccountReview } from './AccountReview';

export const dynamic = 'force-dynamic';

export default async function AccountReviewPage({
  params,
  searchParams,
}: {
  params: Promise<{ nsid: string }>;
  searchParams: Promise<{ order?: string }>;
}) {
  const { nsid } = await params;
  const { order } = await searchParams;
  const user = await requirePageUser(undefined, `/accounts/${nsid}`);
  const queueOrder = (QUEUE_ORDERS as readonly string[]).includes(order ?? '')
    ? (order as QueueOrder)
    : 'rank';
  return <AccountReview order={queueOrder} userName={user.name} isAdmin={user.role === 'admin'} />;
}
