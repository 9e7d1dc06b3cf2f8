// `npm run quarry -- export [--format parquet,jsonl,csv] [--out DIR] [--columns full|megalith] [--licenses 9,10] [--allow-partial]`
// writes the dataset as a run of the export stage (the same as `quarry run --stages export` and the Runs page).
import path from 'node:path';
import { db } from '../../../lib/db.ts';
import { resolveExportDirectory } from '../../../lib/exportPaths.ts';
import { exportReadiness, partialExportReason } from '../../../lib/queries/exports.ts';
import { settings } from '../../../lib/settings.ts';
import { COLUMN_SETS, type ColumnSet } from '../../export/columns.ts';
import { MANIFEST_NAME } from '../../export/export.ts';
import { prepareOutDir } from '../../export/outDir.ts';
import { createRun } from '../../runs/control.ts';
import { EXPORT_FORMATS } from '../../runs/config.ts';
import { checkInput, driveRun } from '../followRun.ts';
import { flag, parseFlags, type CommandSpec } from '../flags.ts';

const flags = {
  format: flag.list('file formats to write', EXPORT_FORMATS, { default: ['parquet'] }),
  out: flag.string('folder for the files (checked writable before anything starts)', {
    value: 'DIR',
    expects: 'a folder path',
    defaultText: 'EXPORT_DIR or DATA_DIR/exports, then <export id>',
  }),
  columns: flag.choice(
    'column set: megalith = url, url_highres, url_source only',
    Object.keys(COLUMN_SETS) as ColumnSet[],
    { default: 'full' },
  ),
  licenses: flag.intList('Flickr license ids to include', {
    min: 0,
    max: 10,
    defaultText: 'FLICKR_LICENSES, 7,8,9,10',
  }),
  'allow-partial': flag.switch('export even while a run is active or photos are not fetched yet'),
  detach: flag.switch("print the run id and return; workers (the app's or `npm run worker`) run it"),
};

export const spec: CommandSpec = {
  name: 'export',
  summary: 'write the dataset (Parquet, JSONL, CSV) and its manifest from the included photos',
  flags,
  notes: ['Columns and their meaning: pipeline/export/README.md.'],
};

export async function run(args: string[]): Promise<void> {
  const opts = parseFlags(flags, args).values;
  const input = checkInput(
    {
      stages: ['export'],
      exportFormats: opts.format,
      exportColumns: opts.columns,
      licenses: opts.licenses,
      exportDir: opts.out && path.resolve(opts.out),
    },
    { exportFormats: 'format', exportColumns: 'columns', exportDir: 'out' },
  );
  // Before the database starts: a folder we cannot write fails now, in one line, instead of after the snapshot.
  if (opts.out) await prepareOutDir(opts.out);
  await driveRun(
    async ({ control }) => {
      const partial = partialExportReason(
        await exportReadiness(opts.licenses ?? settings.FLICKR_LICENSES.map(Number)),
      );
      if (partial && !opts['allow-partial']) {
        console.error(`${partial} Wait for it, or pass --allow-partial to export what there is now.`);
        process.exitCode = 1;
        return null;
      }
      if (partial) console.error(`${partial} Exporting anyway (--allow-partial).`);
      const created = await createRun(input, null, control);
      return created.id;
    },
    {
      detach: opts.detach,
      after: async (r) => {
        const e = await db().export.findFirst({ where: { runId: r.id }, orderBy: { createdAt: 'desc' } });
        if (!e || e.status !== 'completed') return;
        console.log(
          `Export ${e.id}: ${(e.rowCount ?? 0).toLocaleString('en-US')} photos in ${resolveExportDirectory(e.directory!)}`,
        );
        const files =
          (e.manifest as { files?: { name: string; bytes: number; sha256: string }[] } | null)?.files ?? [];
        for (const f of files)
          console.log(`  ${f.name}  ${(f.bytes / 1e6).toFixed(1)} MB  sha256 ${f.sha256}`);
        console.log(`  ${MANIFEST_NAME}`);
        const excluded = Object.entries(
          (e.manifest as { excludedByReason?: Record<string, number> } | null)?.excludedByReason ?? {},
        );
        if (excluded.length)
          console.log(
            `Excluded: ${excluded.map(([k, v]) => `${k} ${v.toLocaleString('en-US')}`).join(', ')}`,
          );
      },
    },
  );
}
