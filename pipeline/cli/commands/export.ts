// `npm run quarry -- export [--format parquet,jsonl,csv] [--out DIR] [--columns full|megalith] [--licenses 9,10]`
import { z } from 'zod';
import { env } from '../../../lib/env.ts';
import { COLUMN_SETS } from '../../export/columns.ts';
import { MANIFEST_NAME, runExport } from '../../export/export.ts';
import { EXPORT_FORMATS } from '../../runs/config.ts';
import { createProgress } from '../progress.ts';
import { parseArgs, withDatabase } from '../withDatabase.ts';

const list = z.string().transform((s) => s.split(',').map((x) => x.trim()).filter(Boolean));
const argsSchema = z.object({
  format: list.pipe(z.array(z.enum(EXPORT_FORMATS)).min(1)).default(['parquet']),
  out: z.string().min(1).optional(),
  columns: z.enum(Object.keys(COLUMN_SETS) as [keyof typeof COLUMN_SETS]).default('full'),
  licenses: list.transform((a) => a.map(Number)).pipe(z.array(z.number().int().min(0).max(10)).min(1)).optional(),
});

export async function run(args: string[]): Promise<void> {
  const { flags } = parseArgs(args);
  const opts = argsSchema.parse({ format: flags.format === true ? undefined : flags.format, out: flags.out, columns: flags.columns, licenses: flags.licenses });
  await withDatabase(async () => {
    const progress = createProgress('export', 'rows');
    let total = 0;
    let done = 0;
    const r = await runExport({
      formats: opts.format, columns: opts.columns, outDir: opts.out, licenses: opts.licenses ?? env.FLICKR_LICENSES.map(Number),
      onRows: (n, t) => { done = n; total = t; progress.update({ done: n, total: t }); },
    });
    progress.done({ done, total });
    console.log(`Export ${r.id}: ${r.rowCount.toLocaleString('en-US')} photos in ${r.directory}`);
    for (const f of r.files) console.log(`  ${f.name}  ${(f.bytes / 1e6).toFixed(1)} MB  sha256 ${f.sha256}`);
    console.log(`  ${MANIFEST_NAME}`);
    const excluded = Object.entries((r.manifest.excludedByReason ?? {}) as Record<string, number>);
    if (excluded.length) console.log(`Excluded: ${excluded.map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`).join(', ')}`);
  });
}
