import { requirePageUser } from '@/lib/auth/guard';
import { uncertainWeight } from '@/lib/queries/flagScores';
import { AccountQueue } from './AccountQueue';

export const dynamic = 'force-dynamic';

export default async function AccountsPage() {
  await requirePageUser(undefined, '/accounts');
  const w = await uncertainWeight();
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Accounts</h1>
      <AccountQueue />
      <p className="max-w-3xl text-sm text-slate-600" id="flag-score-formula">
        <strong>Flag score</strong> is the share of an account’s checked photos a reviewer is expected to reject:
        (photos any check fails + {w.weight.toFixed(2)} × photos only marked uncertain) ÷ photos checked. A photo
        counts once however many checks flag it; reviewer overrides count instead of the automatic verdict. The
        weight {w.weight.toFixed(2)} is the share of uncertain verdicts reviewers turned into fails
        {w.basedOn > 0 ? ` (${w.basedOn.toLocaleString('en-US')} overrides, pulled towards 0.5 by 20)` : ' (0.5 until reviewers have overridden some)'}.
      </p>
    </div>
  );
}
