// `npm run quarry -- backup --out DIR`: database snapshot + image store, restorable with `quarry restore`.
import path from 'node:path';
import { databaseUrl, dataDir } from '../../../lib/env.ts';
import { backup } from '../../backup/backup.ts';
import { flag, parseFlags, type CommandSpec } from '../flags.ts';
import { withDatabase } from '../withDatabase.ts';

const flags = {
  out: flag.string('folder to write the backup to', {
    value: 'DIR',
    expects: 'a folder path',
    defaultText: 'DATA_DIR/backups/<time>',
  }),
};

export const spec: CommandSpec = {
  name: 'backup',
  summary: 'snapshot the database and the image store into a folder (restore with `restore`)',
  flags,
};

export async function run(args: string[]): Promise<void> {
  const opts = parseFlags(flags, args).values;
  const out = opts.out ?? path.join(dataDir(), 'backups', new Date().toISOString().replace(/[:.]/g, '-'));
  await withDatabase(async () => {
    const m = await backup({ url: databaseUrl(), dataDir: dataDir(), out, log: (msg) => console.error(msg) });
    console.log(
      `Backup written to ${out}: ${m.tables.reduce((s, t) => s + t.rows, 0).toLocaleString('en-US')} rows in ${m.tables.length} tables${m.images ? ', images included' : ''}`,
    );
  });
}
