// The settings under their older name: `env` is lib/settings.ts's `settings` (the same object), kept so the many
// `import { env } from 'lib/env'` keep working. New code imports lib/settings.ts.
export {
  dataDir,
  databaseUrl,
  refreshSettings as refreshEnv,
  settings as env,
  type Settings as Env,
} from './settings.ts';
