// The analyze step's settings for a test that calls one batch function directly: what a run with every default
// would use (runs/stageSettings.ts), with the test's own hosts, folder and timings over them.
import type { AnalyzeSettings } from '../../pipeline/analyze/options.ts';
import { createAllowlist } from '../../pipeline/fetch/allowlist.ts';
import { defaultStageSettings } from '../../pipeline/runs/stageSettings.ts';

export function analyzeSettings(
  o: Partial<AnalyzeSettings> & { imageHosts?: string[] } = {},
): AnalyzeSettings {
  const { imageHosts, ...rest } = o;
  return {
    ...defaultStageSettings().analyze,
    runId: null,
    ...(imageHosts ? { allowlist: createAllowlist(imageHosts) } : {}),
    ...rest,
  };
}
