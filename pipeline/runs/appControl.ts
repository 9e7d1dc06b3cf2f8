// The options the web app and the CLI control runs with: the stage catalog (no stage code) and the default licenses.
import { env } from '../../lib/env.ts';
import type { ControlOptions } from './control.ts';
import { stageCatalog } from './stages/catalog.ts';

let cached: ControlOptions | null = null;

export function appControl(): ControlOptions {
  return (cached ??= { registry: stageCatalog(), defaults: { licenses: env.FLICKR_LICENSES.map(Number) } });
}
