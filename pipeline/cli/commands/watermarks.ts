// `quarry watermarks [--limit N] [--min-photos N] [--sample K]` runs the per-account watermark check;
// `quarry watermarks quality [--accounts N] [--seed S] [--photos MIN-MAX] [--size PX] [--rows] [--images DIR]`
// measures it on generated accounts and prints precision and recall.
import path from 'node:path';
import { z } from 'zod';
import { watermarkConfig } from '../../watermarks/config.ts';
import { evaluateQuality, type Counts, type QualityReport } from '../../watermarks/quality.ts';
import { runWatermarkStage } from '../../watermarks/stage.ts';
import { createProgress } from '../progress.ts';
import { parseArgs, withDatabase } from '../withDatabase.ts';

const stageFlags = z.object({
  limit: z.coerce.number().int().positive().optional(),
  'min-photos': z.coerce.number().int().min(3).optional(),
  sample: z.coerce.number().int().min(4).optional(),
});

const qualityFlags = z.object({
  accounts: z.coerce.number().int().positive().default(100),
  seed: z.string().default('quality'),
  photos: z.string().regex(/^\d+-\d+$/).default('8-48'),
  size: z.coerce.number().int().min(256).max(2048).default(512),
  rows: z.literal(true).optional(),
  images: z.string().optional(),
});

const pct = (v: number) => `${(100 * v).toFixed(1)}%`;
const line = (label: string, c: Counts) =>
  `${label.padEnd(34)} precision ${pct(c.precision).padStart(6)}  recall ${pct(c.recall).padStart(6)}   (tp ${c.tp}, fp ${c.fp}, fn ${c.fn}, tn ${c.tn})`;

function printReport(r: QualityReport, rows: boolean): void {
  if (rows) {
    for (const row of r.rows) {
      console.log(`${row.nsid.padEnd(12)} ${row.truth.padEnd(38)} → ${row.verdict.padEnd(9)} ${row.score.toFixed(3)}  border:${(row.border || '-').padEnd(6)} iou:${row.iou === null ? ' -  ' : row.iou.toFixed(2)}  photos ${row.photosWith}/${row.photosTrue}`);
    }
    console.log('');
  }
  console.log(`${r.accounts} generated accounts, ${r.msPerAccount.toFixed(0)} ms per account (detection only)`);
  console.log(line('accounts, verdict fail', r.accountFail));
  console.log(line('accounts, fail or uncertain', r.accountFlagged));
  console.log(line('photos carrying the mark', r.photos));
  console.log(line('  … in assessed orientation groups', r.photosAssessed));
  const b = r.borders;
  console.log(`borders/frames: ${b.reported} of ${b.accounts} bordered accounts reported as border/frame; ` +
    `${b.asWatermark} border-only accounts flagged as watermark; ${b.falseReports} borders reported on border-free accounts`);
  console.log(`box IoU with the planted mark: mean ${r.iou.mean.toFixed(2)}, min ${r.iou.min.toFixed(2)}, ≥ 0.5 on ${r.iou.atLeastHalf} of ${r.iou.count}`);
  const ok = r.accountFail.recall >= 0.9 && r.accountFail.precision >= 0.95 && r.photos.recall >= 0.95 && r.photos.precision >= 0.95 && b.asWatermark === 0;
  const targets = 'account recall ≥ 0.9 at precision ≥ 0.95, photo recall ≥ 0.95 at precision ≥ 0.95, no border flagged as watermark';
  console.log(ok ? `targets met: ${targets}` : `TARGETS MISSED: ${targets}`);
  if (!ok) process.exitCode = 1;
}

async function quality(args: string[]): Promise<void> {
  const flags = qualityFlags.parse(parseArgs(args).flags);
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
  printReport(report, flags.rows ?? false);
  if (flags.images) console.log(`estimated watermark images written to ${path.resolve(flags.images)}`);
}

export async function run(args: string[]): Promise<void> {
  if (args[0] === 'quality') return quality(args.slice(1));
  const flags = stageFlags.parse(parseArgs(args).flags);
  const config = watermarkConfig();
  console.error(`watermarks: accounts with ≥ ${flags['min-photos'] ?? config.minPhotos} fetched photos, sample ${flags.sample ?? config.sample} per orientation, ` +
    `fail ≥ ${config.fail}, uncertain ≥ ${config.uncertain}, photo match ≥ ${config.photoMatch}`);
  await withDatabase(async () => {
    const progress = createProgress('watermarks', 'accounts');
    // withDatabase stops the database on Ctrl-C; finished accounts are stored, so a rerun resumes.
    const result = await runWatermarkStage({
      limit: flags.limit,
      minPhotos: flags['min-photos'],
      sample: flags.sample,
      onProgress: (p) => progress.update({ done: p.done, total: p.total, failed: p.failed, extra: `${p.flagged} flagged` }),
    });
    progress.done({ done: result.done + result.failed, total: result.done + result.failed, failed: result.failed, extra: `${result.flagged} flagged` });
    console.log(`checked ${result.done + result.failed} accounts (${result.flagged} with a watermark, ${result.failed} unreadable), already current ${result.skipped}`);
  });
}
