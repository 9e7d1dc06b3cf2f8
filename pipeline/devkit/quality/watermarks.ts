// Measures the detector on generated accounts: precision/recall of account and photo verdicts, borders, box IoU.
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { median } from '../../../lib/stats/median.ts';
import { DEFAULT_CONFIG, type WatermarkConfig } from '../../watermarks/config.ts';
import { boxOverlap, detectAccount, type AccountOutcome } from '../../watermarks/detect.ts';
import type { WatermarkEstimate } from '../../watermarks/estimate.ts';
import { renderWatermark } from '../../watermarks/render.ts';
import { watermarkImageKey } from '../../watermarks/store.ts';
import { generateAccount, planAccounts, type SyntheticAccount } from '../watermarks/syntheticAccounts.ts';
import type { Box } from '../../watermarks/types.ts';

export type Counts = { tp: number; fp: number; fn: number; tn: number; precision: number; recall: number };

export type QualityReport = {
  accounts: number;
  /** Positive = verdict fail. */
  accountFail: Counts;
  /** Positive = verdict fail or uncertain (what reaches the review queue flagged). */
  accountFlagged: Counts;
  /** Positive = the photo is found to carry its account's (flagged) watermark. */
  photos: Counts;
  /** The same, leaving out photos of orientation groups too small to estimate from. */
  photosAssessed: Counts;
  borders: { accounts: number; reported: number; asWatermark: number; falseReports: number };
  iou: { count: number; mean: number; min: number; atLeastHalf: number };
  msPerAccount: number;
  rows: QualityRow[];
};

export type QualityRow = {
  nsid: string;
  truth: string;
  verdict: string;
  score: number;
  border: string;
  iou: number | null;
  photosWith: number;
  photosTrue: number;
};

export type QualityOptions = {
  accounts: number;
  seed: string;
  photos?: { min: number; max: number };
  /** Long side of the generated originals before thumbnailing. */
  size?: number;
  config?: WatermarkConfig;
  /** Write each flagged account's estimated-watermark PNG (box drawn in) here. */
  imagesDir?: string;
  onProgress?: (done: number, total: number) => void;
};

function counts(pairs: [boolean, boolean][]): Counts {
  let tp = 0,
    fp = 0,
    fn = 0,
    tn = 0;
  for (const [truth, predicted] of pairs) {
    if (truth && predicted) tp++;
    else if (predicted) fp++;
    else if (truth) fn++;
    else tn++;
  }
  return {
    tp,
    fp,
    fn,
    tn,
    precision: tp + fp > 0 ? tp / (tp + fp) : 1,
    recall: tp + fn > 0 ? tp / (tp + fn) : 1,
  };
}

/** The planted box in the orientation of the estimate: the median over photos that carry it. */
export function plantedBox(account: SyntheticAccount, landscape: boolean): Box | null {
  const boxes = account.photos
    .filter((p) => p.truth.box && p.width >= p.height === landscape)
    .map((p) => p.truth.box as Box);
  if (boxes.length === 0) return null;
  const med = (k: keyof Box) => median(boxes.map((b) => b[k]));
  return { x: med('x'), y: med('y'), w: med('w'), h: med('h') };
}

export function boxIou(account: SyntheticAccount, outcome: AccountOutcome): number | null {
  const est = outcome.best?.estimate;
  if (!est?.box || !account.truth.watermark) return null;
  const planted = plantedBox(account, outcome.best?.group.orientation === 'landscape');
  return planted ? boxOverlap(planted, est.box) : null;
}

async function saveImage(dir: string, nsid: string, truth: boolean, est: WatermarkEstimate): Promise<void> {
  await mkdir(dir, { recursive: true });
  const png = await renderWatermark(
    { residual: est.residual, width: est.width, height: est.height, box: est.boxPx, lines: est.lines },
    { drawBox: true },
  );
  await writeFile(path.join(dir, `${watermarkImageKey(nsid)}-${truth ? 'planted' : 'CLEAN'}.png`), png);
}

export async function evaluateQuality(opts: QualityOptions): Promise<QualityReport> {
  const config = opts.config ?? DEFAULT_CONFIG;
  const plans = planAccounts(opts.accounts, opts.seed, opts.photos ?? { min: 10, max: 48 });
  const rows: QualityRow[] = [];
  const accountPairs: [boolean, AccountOutcome][] = [];
  const photoPairs: [boolean, boolean][] = [];
  const assessedPairs: [boolean, boolean][] = [];
  const ious: number[] = [];
  const borders = { accounts: 0, reported: 0, asWatermark: 0, falseReports: 0 };
  let detectMs = 0;
  for (const [i, plan] of plans.entries()) {
    const nsid = `${10000 + i}@N0${i % 10}`;
    const account = await generateAccount(nsid, { ...plan, size: opts.size }, `${opts.seed}:${i}`);
    const refs = account.photos.map((p) => ({ id: p.id, width: p.width, height: p.height, source: p.thumb }));
    const started = performance.now();
    const outcome = await detectAccount(nsid, refs, config);
    detectMs += performance.now() - started;
    const hasMark = account.truth.watermark !== null;
    accountPairs.push([hasMark, outcome]);
    const flagged = outcome.verdict !== 'pass';
    const byId = new Map(outcome.photos.map((o) => [o.id, o]));
    for (const p of account.photos) {
      const o = byId.get(p.id);
      const pair: [boolean, boolean] = [p.truth.watermark, flagged && (o?.carries ?? false)];
      photoPairs.push(pair);
      if (o?.status !== 'unassessed') assessedPairs.push(pair);
    }
    if (opts.imagesDir && flagged && outcome.best)
      await saveImage(opts.imagesDir, nsid, hasMark, outcome.best.estimate);
    const overlap = boxIou(account, outcome);
    if (overlap !== null && flagged) ious.push(overlap);
    if (account.truth.border) {
      borders.accounts++;
      if (outcome.border) borders.reported++;
      if (!hasMark && flagged) borders.asWatermark++;
    } else if (outcome.border) borders.falseReports++;
    rows.push({
      nsid,
      truth: [
        hasMark
          ? `${account.truth.watermark?.kind} ${account.truth.watermark?.corner} α=${account.truth.watermark?.opacity.toFixed(2)}`
          : 'clean',
        account.truth.border?.kind ?? '',
      ]
        .filter(Boolean)
        .join(' + '),
      verdict: outcome.verdict,
      score: outcome.score,
      border: outcome.border?.kind ?? '',
      iou: overlap,
      photosWith: outcome.photosWith,
      photosTrue: account.photos.filter((p) => p.truth.watermark).length,
    });
    opts.onProgress?.(i + 1, plans.length);
  }
  return {
    accounts: plans.length,
    accountFail: counts(accountPairs.map(([t, o]) => [t, o.verdict === 'fail'])),
    accountFlagged: counts(accountPairs.map(([t, o]) => [t, o.verdict !== 'pass'])),
    photos: counts(photoPairs),
    photosAssessed: counts(assessedPairs),
    borders,
    iou: {
      count: ious.length,
      mean: ious.length ? ious.reduce((a, b) => a + b, 0) / ious.length : 0,
      min: ious.length ? Math.min(...ious) : 0,
      atLeastHalf: ious.filter((v) => v >= 0.5).length,
    },
    msPerAccount: detectMs / plans.length,
    rows,
  };
}
