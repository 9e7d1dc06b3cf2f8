// Check versions: a logic version plus a short hash of the configuration, so a changed threshold re-runs a check.
import { createHash } from 'node:crypto';

export function configHash(config: unknown): string {
  return createHash('sha256').update(JSON.stringify(config)).digest('hex').slice(0, 8);
}
