// Runs a CLI command against the configured database: DATABASE_URL, the app's running embedded server, or a new one.
import { disconnectDb } from '../../lib/db.ts';
import { dataDir } from '../../lib/env.ts';
import { ensureDatabase } from '../../lib/server/database.ts';

export async function withDatabase<T>(fn: () => Promise<T>): Promise<T> {
  const handle = await ensureDatabase({ dataDir: dataDir(), log: (m) => console.error(m) });
  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await disconnectDb().catch(() => {});
    await handle.stop();
  };
  const onSignal = () => {
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    return await fn();
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
    await stop();
  }
}

/** Minimal `--name value` / `--flag` parser for the benches (test/bench); commands declare their flags with flags.ts. */
export function parseArgs(args: string[]): { flags: Record<string, string | true>; positional: string[] } {
  const flags: Record<string, string | true> = {};
  const positional: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a.startsWith('--')) {
      const [k, v] = a.slice(2).split('=', 2);
      if (v !== undefined) flags[k] = v;
      else if (i + 1 < args.length && !args[i + 1].startsWith('--')) flags[k] = args[++i];
      else flags[k] = true;
    } else positional.push(a);
  }
  return { flags, positional };
}
