import { requirePageUser } from '@/lib/auth/guard';
import { uncertainWeight } from '@/lib/queries/flagScores';
import { AccountQueue } from './AccountQueue';

export const dynamic = 'force-dynamic';

export default async function AccountsPage() {
  await requirePageUser(undefined, '/accounts');
  const w = await uncertainWeight();
  const weight = w.weight.toFixed(2);
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Accounts</h1>
      <p className="max-w-4xl text-sm text-slate-600" id="flag-score-formula">
        <strong>Flag score</strong>: the share of an account’s checked photos a reviewer is expected to
        reject, (photos any check fails + {weight} × photos only marked uncertain) ÷ photos checked. A photo
        counts once however many checks flag it, and a reviewer’s override replaces the automatic verdict.{' '}
        {weight} is how often reviewers turned an uncertain verdict into a fail
        {w.basedOn > 0
          ? ` (${w.basedOn.toLocaleString('en-US')} overrides, pulled towards 0.5).`
          : ' (none yet, so 0.5).'}
      </p>
      <AccountQueue />
    </div>
  );
}
