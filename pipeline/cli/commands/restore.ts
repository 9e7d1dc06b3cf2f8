// `npm run quarry -- restore --from DIR`: into an empty database (a new DATABASE_URL or a fresh data dir).
import { databaseUrl, dataDir } from '../../../lib/env.ts';
import { restore } from '../../backup/restore.ts';
import { parseArgs, withDatabase } from '../withDatabase.ts';

export async function run(args: string[]): Promise<void> {
  const { flags } = parseArgs(args);
  if (typeof flags.from !== 'string') {
    console.error('Usage: npm run quarry -- restore --from DIR');
    process.exitCode = 2;
    return;
  }
  const from = flags.from;
  await withDatabase(async () => {
    const r = await restore({ url: databaseUrl(), dataDir: dataDir(), from, log: (m) => console.error(m) });
    console.log(`Restored ${r.rows.toLocaleString('en-US')} rows from ${from}`);
  });
}
