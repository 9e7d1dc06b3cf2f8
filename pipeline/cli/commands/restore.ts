// `npm run quarry -- restore --from DIR`: into an empty database (a new DATABASE_URL or a fresh data dir).
import { databaseUrl, dataDir } from '../../../lib/env.ts';
import { restore } from '../../backup/restore.ts';
import { flag, parseFlags, type CommandSpec } from '../flags.ts';
import { withDatabase } from '../withDatabase.ts';

const flags = {
  from: flag.string('backup folder written by `backup`', {
    value: 'DIR',
    expects: 'a folder path',
    required: true,
  }),
};

export const spec: CommandSpec = {
  name: 'restore',
  summary: 'restore a backup into an empty database (a new DATABASE_URL or a fresh DATA_DIR)',
  flags,
};

export async function run(args: string[]): Promise<void> {
  const { from } = parseFlags(flags, args).values;
  await withDatabase(async () => {
    const r = await restore({ url: databaseUrl(), dataDir: dataDir(), from, log: (m) => console.error(m) });
    console.log(`Restored ${r.rows.toLocaleString('en-US')} rows from ${from}`);
  });
}
