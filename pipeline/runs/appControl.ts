// The options the web app controls runs with: the stage catalog (no stage code). Licenses and thresholds default to
// the settings (lib/settings.ts), read when each run is created.
import type { ControlOptions } from './control.ts';
import { stageCatalog } from './stages/catalog.ts';

let cached: ControlOptions | null = null;

export function appControl(): ControlOptions {
  return (cached ??= { registry: stageCatalog() });
}
