// `quarry watermarks [--limit N] [--min-photos N] [--sample K]` runs the per-account watermark check (a run of the
// watermarks stage, as `quarry run --stages watermarks`);
// `quarry watermarks quality [--accounts N] [--seed S] [--photos MIN-MAX] [--size PX] [--rows] [--images DIR]`
// measures it on generated accounts and prints precision and recall.
import path from 'node:path';
import { settings, thresholdDefaults } from '../../../lib/settings.ts';
import { watermarkConfig } from '../../watermarks/config.ts';
import { evaluateQuality, type Counts, type QualityReport } from '../../devkit/quality/watermarks.ts';
import { createProgress } from '../progress.ts';
import { flag, parseFlags, pickSubcommand, type CommandSpec } from '../flags.ts';
import { checkInput, startRun } from '../followRun.ts';

const stageFlags = {
  limit: flag.int('check at most N accounts', { min: 1, max: 100_000_000 }),
  'min-photos': flag.int('accounts need this many fetched photos to be assessed', {
    min: 3,
    max: 10_000,
    defaultText: 'WATERMARK_MIN_PHOTOS, 8',
  }),
  sample: flag.int('photos sampled per orientation', {
    min: 4,
    max: 1024,
    defaultText: 'WATERMARK_SAMPLE, 64',
  }),
  detach: flag.switch("print the run id and return; workers (the app's or `npm run worker`) run it"),
};

const qualityFlags = {
  accounts: flag.int('generated accounts to measure on', { min: 1, default: 100 }),
  seed: flag.string('seed of the generated accounts', { default: 'quality' }),
  photos: flag.string('photos per account, as MIN-MAX', {
    value: 'MIN-MAX',
    pattern: /^\d+-\d+$/,
    expects: 'a range like 8-48',
    default: '8-48',
  }),
  size: flag.int('image size in pixels', { min: 256, max: 2048, default: 512 }),
  rows: flag.switch('print one line per account'),
  images: flag.string('write the estimated watermark images to this folder', { value: 'DIR' }),
};

export const spec: CommandSpec = {
  name: 'watermarks',
  summary: 'run the per-account watermark check on fetched photos, or measure it (`watermarks quality`)',
  flags: stageFlags,
  subcommands: {
    quality: {
      summary: 'precision and recall on generated accounts with planted marks and borders (no database)',
      flags: qualityFlags,
    },
  },
};

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const line = (label: string, c: Counts) =>
  `${label.padEnd(34)} precision ${pct(c.precision).padStart(6)}  recall ${pct(c.recall).padStart(6)}   (tp ${c.tp}, fp ${c.fp}, fn ${c.fn}, tn ${c.tn})`;

function printReport(r: QualityReport, rows: boolean): void {
  if (rows) {
    for (const row of r.rows) {
      console.log(
        `${row.nsid.padEnd(12)} ${row.truth.padEnd(38)} → ${row.verdict.padEnd(9)} ${row.score.toFixed(3)}  border:${(row.border || '-').padEnd(6)} iou:${row.iou === null ? ' -  ' : row.iou.toFixed(2)}  photos ${row.photosWith}/${row.photosTrue}`,
      );
    }
    console.log('');
  }
  console.log(
    `${r.accounts} generated accounts, ${r.msPerAccount.toFixed(0)} ms per account (detection only)`,
  );
  console.log(line('accounts, verdict fail', r.accountFail));
  console.log(line('accounts, fail or uncertain', r.accountFlagged));
  console.log(line('photos carrying the mark', r.photos));
  console.log(line('  … in assessed orientation groups', r.photosAssessed));
  const b = r.borders;
  console.log(
    `borders/frames: ${b.reported} of ${b.accounts} bordered accounts reported as border/frame; ` +
      `${b.asWatermark} border-only accounts flagged as watermark; ${b.falseReports} borders reported on border-free accounts`,
  );
  console.log(
    `box IoU with the planted mark: mean ${r.iou.mean.toFixed(2)}, min ${r.iou.min.toFixed(2)}, ≥ 0.5 on ${r.iou.atLeastHalf} of ${r.iou.count}`,
  );
  // Each target on its own, so a miss names what fell short and by how much.
  const pct = (x: number) => `${(x * 100).toFixed(1)} %`;
  const targets: [string, boolean, string][] = [
    ['account recall ≥ 0.9', r.accountFail.recall >= 0.9, pct(r.accountFail.recall)],
    ['account precision ≥ 0.95', r.accountFail.precision >= 0.95, pct(r.accountFail.precision)],
    ['photo recall ≥ 0.95', r.photos.recall >= 0.95, pct(r.photos.recall)],
    ['photo precision ≥ 0.95', r.photos.precision >= 0.95, pct(r.photos.precision)],
    ['no border flagged as watermark', b.asWatermark === 0, `${b.asWatermark} flagged`],
  ];
  const missed = targets.filter(([, met]) => !met);
  const ok = missed.length === 0;
  console.log(
    ok
      ? `targets met: ${targets.map(([t]) => t).join(', ')}`
      : `TARGETS MISSED: ${missed.map(([t, , got]) => `${t} (got ${got})`).join('; ')}`,
  );
  if (!ok) process.exitCode = 1;
}

async function quality(args: string[]): Promise<void> {
  const flags = parseFlags(qualityFlags, args).values;
  const [min, max] = flags.photos.split('-').map(Number);
  const { dataDir: _dataDir, ...config } = watermarkConfig();
  const progress = createProgress('watermarks quality', 'accounts');
  const report = await evaluateQuality({
    accounts: flags.accounts,
    seed: flags.seed,
    photos: { min, max: Math.max(min, max) },
    size: flags.size,
    config,
    imagesDir: flags.images,
    onProgress: (done, total) => progress.update({ done, total }),
  });
  progress.done({ done: report.accounts, total: report.accounts });
  printReport(report, flags.rows);
  if (flags.images) console.log(`estimated watermark images written to ${path.resolve(flags.images)}`);
}

export async function run(args: string[]): Promise<void> {
  const { sub, rest } = pickSubcommand(spec, args);
  if (sub === 'quality') return quality(rest);
  const flags = parseFlags(stageFlags, rest).values;
  const thresholds = {
    ...(flags['min-photos'] === undefined ? {} : { watermarkMinPhotos: flags['min-photos'] }),
    ...(flags.sample === undefined ? {} : { watermarkSample: flags.sample }),
  };
  const input = checkInput({ stages: ['watermarks'], limit: flags.limit, thresholds });
  const t = { ...thresholdDefaults(), ...thresholds };
  console.error(
    `watermarks: accounts with ≥ ${t.watermarkMinPhotos} fetched photos, sample ${t.watermarkSample} per orientation, ` +
      `fail ≥ ${t.watermarkFail}, uncertain ≥ ${t.watermarkUncertain}, photo match ≥ ${settings.WATERMARK_PHOTO_MATCH}`,
  );
  // Finished accounts are stored as each batch ends, so an interrupted run resumes (`quarry run --resume ID`).
  await startRun(input, { detach: flags.detach });
}
