// The watermark stage's batch (runs/stages/watermarks.ts plans and drives it): for each account with enough fetched photos and no current result, detect and store; resumable.
import sharp from 'sharp';
import {
  accountVersion,
  getWatermarkPhotos,
  listWatermarkPending,
  saveWatermarkResult,
  type PendingAccount,
} from '../../lib/queries/watermarks.ts';
import { thumbPath } from '../fetch/imageStore.ts';
import { configVersion, type WatermarkConfig } from './config.ts';
import { detectAccount } from './detect.ts';
import type { PhotoRef } from './frame.ts';
import { renderWatermark } from './render.ts';
import { buildResults } from './results.ts';
import { removeWatermarkImage, watermarkImageKey, writeWatermarkImage } from './store.ts';

export type WatermarkProgress = { done: number; total: number; failed: number; flagged: number };

export type WatermarkStageOptions = {
  runId?: string;
  signal?: AbortSignal;
  onProgress?: (p: WatermarkProgress) => void;
  /** From runs/stageSettings.ts (the run's thresholds over lib/settings.ts). */
  config: WatermarkConfig & { dataDir: string };
};

export type WatermarkStageResult = { done: number; failed: number; skipped: number; flagged: number };

/** Size of a photo for grouping: the stored analysis-image size, or the thumbnail's header when missing. */
async function toRef(
  p: { id: string; contentHash: string; width: number | null; height: number | null },
  dataDir: string,
): Promise<PhotoRef> {
  const source = thumbPath(p.contentHash, dataDir);
  if (p.width && p.height) return { id: p.id, width: p.width, height: p.height, source };
  const meta = await sharp(source)
    .metadata()
    .catch(() => null);
  return { id: p.id, width: meta?.width ?? 0, height: meta?.height ?? 0, source };
}

/** Detects and stores one account; 'failed' when none of its thumbnails could be read. */
export async function processAccount(
  account: PendingAccount,
  config: WatermarkConfig & { dataDir: string },
  runId: string | null,
  signal?: AbortSignal,
): Promise<'done' | 'failed' | 'flagged'> {
  const rows = await getWatermarkPhotos(account.nsid);
  const refs = await Promise.all(rows.map((r) => toRef(r, config.dataDir)));
  const outcome = await detectAccount(account.nsid, refs, config, { signal });
  const key = watermarkImageKey(account.nsid);
  const flagged = outcome.groups.length > 0 && outcome.verdict !== 'pass';
  if (flagged && outcome.best) {
    const est = outcome.best.estimate;
    await writeWatermarkImage(
      key,
      await renderWatermark({
        residual: est.residual,
        width: est.width,
        height: est.height,
        box: est.boxPx,
        lines: est.lines,
      }),
      config.dataDir,
    );
  } else {
    await removeWatermarkImage(key, config.dataDir);
  }
  const results = buildResults(outcome, flagged ? key : null);
  await saveWatermarkResult({
    nsid: account.nsid,
    // The count read now, not the one listed: photos fetched meanwhile make the result stale, as they should.
    version: accountVersion(configVersion(config), rows.length),
    runId,
    ...results,
  });
  if (results.watermark.verdict === 'error') return 'failed';
  return flagged ? 'flagged' : 'done';
}

async function processAll(
  accounts: PendingAccount[],
  config: WatermarkConfig & { dataDir: string },
  opts: WatermarkStageOptions,
  tally: WatermarkStageResult,
  total: number,
): Promise<void> {
  for (const account of accounts) {
    opts.signal?.throwIfAborted();
    const status = await processAccount(account, config, opts.runId ?? null, opts.signal);
    if (status === 'failed') tally.failed++;
    else tally.done++;
    if (status === 'flagged') tally.flagged++;
    opts.onProgress?.({
      done: tally.done + tally.failed,
      total,
      failed: tally.failed,
      flagged: tally.flagged,
    });
  }
}

/** Runs the check for the given accounts (a job runner's batch); current or too small ones are skipped. */
export async function runWatermarkBatch(
  accountNsids: string[],
  opts: WatermarkStageOptions,
): Promise<WatermarkStageResult> {
  const config = opts.config;
  const pending =
    accountNsids.length === 0
      ? []
      : await listWatermarkPending(
          configVersion(config),
          config.minPhotos,
          null,
          accountNsids.length,
          accountNsids,
        );
  const tally: WatermarkStageResult = {
    done: 0,
    failed: 0,
    skipped: accountNsids.length - pending.length,
    flagged: 0,
  };
  await processAll(pending, config, opts, tally, pending.length);
  return tally;
}
