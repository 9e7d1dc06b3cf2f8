// `npm run quarry -- export [--format parquet,jsonl,csv] [--out DIR] [--columns full|megalith] [--licenses 9,10] [--allow-partial]`
import { env } from '../../../lib/env.ts';
import { exportReadiness, partialExportReason, repairStaleExports } from '../../../lib/queries/exports.ts';
import { COLUMN_SETS, type ColumnSet } from '../../export/columns.ts';
import { MANIFEST_NAME, runExport } from '../../export/export.ts';
import { prepareOutDir } from '../../export/outDir.ts';
import { EXPORT_FORMATS } from '../../runs/config.ts';
import { flag, parseFlags, type CommandSpec } from '../flags.ts';
import { createProgress } from '../progress.ts';
import { withDatabase } from '../withDatabase.ts';

const flags = {
  format: flag.list('file formats to write', EXPORT_FORMATS, { default: ['parquet'] }),
  out: flag.string('folder for the files (checked writable before anything starts)', { value: 'DIR', expects: 'a folder path', defaultText: 'EXPORT_DIR or DATA_DIR/exports, then <export id>' }),
  columns: flag.choice('column set: megalith = url, url_highres, url_source only', Object.keys(COLUMN_SETS) as ColumnSet[], { default: 'full' }),
  licenses: flag.intList('Flickr license ids to include', { min: 0, max: 10, defaultText: 'FLICKR_LICENSES, 7,8,9,10' }),
  'allow-partial': flag.switch('export even while a run is active or photos are not fetched yet'),
};

export const spec: CommandSpec = {
  name: 'export',
  summary: 'write the dataset (Parquet, JSONL, CSV) and its manifest from the included photos',
  flags,
  notes: ['Columns and their meaning: pipeline/export/README.md.'],
};

export async function run(args: string[]): Promise<void> {
  const opts = parseFlags(flags, args).values;
  // Before the database starts: a folder we cannot write fails now, in one line, instead of after the snapshot.
  if (opts.out) await prepareOutDir(opts.out);
  const licenses = opts.licenses ?? env.FLICKR_LICENSES.map(Number);
  await withDatabase(async () => {
    const repaired = await repairStaleExports();
    if (repaired) console.error(`${repaired} export(s) left running by a stopped process marked failed`);
    const partial = partialExportReason(await exportReadiness(licenses));
    if (partial && !opts['allow-partial']) {
      console.error(`${partial} Wait for it, or pass --allow-partial to export what there is now.`);
      process.exitCode = 1;
      return;
    }
    if (partial) console.error(`${partial} Exporting anyway (--allow-partial).`);
    const progress = createProgress('export', 'rows');
    let total = 0;
    let done = 0;
    const r = await runExport({
      formats: opts.format, columns: opts.columns, outDir: opts.out, licenses,
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
