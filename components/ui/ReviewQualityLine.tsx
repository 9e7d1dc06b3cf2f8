import Link from 'next/link';
import { agreementText } from '@/components/review/agreementText';
import type { ReviewQuality } from '@/lib/queries/reviewQuality';

/** The dashboard's one line on review quality: blind double-review agreement and what waits for a second look. */
export function ReviewQualityLine({ q, linked }: { q: ReviewQuality; linked: boolean }) {
  return (
    <p
      className="rounded-lg border border-slate-200 bg-white px-4 py-3 text-sm text-slate-700"
      data-testid="review-quality-line"
    >
      <span className="font-medium">Review quality</span>
      {' · '}double reviews:{' '}
      {agreementText(q.overall.decision, q.overall.decision.n === 1 ? 'account' : 'accounts')}
      {' · '}
      {q.awaitingSecond.toLocaleString('en-US')} waiting for a second review ·{' '}
      {q.awaitingAdjudication.toLocaleString('en-US')} for adjudication
      {linked && (
        <>
          {' '}
          ·{' '}
          <Link href="/quality" className="text-blue-700 underline-offset-2 hover:underline">
            Review quality
          </Link>
        </>
      )}
    </p>
  );
}
