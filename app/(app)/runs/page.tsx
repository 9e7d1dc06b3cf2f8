import { RunsPanel } from '@/components/runs/RunsPanel';
import { requirePageUser } from '@/lib/auth/guard';
import { settings, thresholdDefaults } from '@/lib/settings';

export const dynamic = 'force-dynamic';

export default async function RunsPage() {
  await requirePageUser('admin', '/runs');
  return (
    <div className="space-y-4">
      <h1 className="text-2xl font-semibold">Runs</h1>
      <RunsPanel
        defaultLicenses={settings.FLICKR_LICENSES.map(Number)}
        defaultThresholds={thresholdDefaults()}
      />
    </div>
  );
}
