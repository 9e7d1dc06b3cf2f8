import { notFound } from 'next/navigation';
import { requirePageUser } from '@/lib/auth/guard';
import { CHECKS, isCheckName } from '@/lib/checks';
import { CheckReview } from './CheckReview';

export const dynamic = 'force-dynamic';

export default async function CheckReviewPage({ params }: { params: Promise<{ check: string }> }) {
  const { check } = await params;
  await requirePageUser(undefined, `/checks/${check}`);
  if (!isCheckName(check)) notFound();
  return (
    <div className="space-y-3">
      <h1 className="text-2xl font-semibold">{CHECKS[check].label}</h1>
      <p className="text-sm text-slate-600">
        {CHECKS[check].description.replace(/[.…]+$/, '')}: the photos it failed or was unsure about, highest
        score first.
      </p>
      <CheckReview check={check} />
    </div>
  );
}
