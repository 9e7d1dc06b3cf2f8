// `npm run quarry -- backup --out DIR`: database snapshot + image store, restorable with `quarry restore`.
import path from 'node:path';
import { databaseUrl, dataDir } from '../../../lib/env.ts';
import { backup } from '../../backup/backup.ts';
import { parseArgs, withDatabase } from '../withDatabase.ts';

export async function run(args: string[]): Promise<void> {
  const { flags } = parseArgs(args);
  const out = typeof flags.out === 'string' ? flags.out : path.join(dataDir(), 'backups', new Date().toISOString().replace(/[:.]/g, '-'));
  await withDatabase(async () => {
    const m = await backup({ url: databaseUrl(), dataDir: dataDir(), out, log: (msg) => console.error(msg) });
    console.log(`Backup written to ${out}: ${m.tables.reduce((s, t) => s + t.rows, 0).toLocaleString('en-US')} rows in ${m.tables.length} tables${m.images ? ', images included' : ''}`);
  });
}
