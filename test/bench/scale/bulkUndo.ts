// A reviewer's bulk override of ~100k photos on the 10M-photo database and its undo, through the functions the Checks
// page's bulk action and the batch's Undo button call (bulkOverride, undoOverrideBatch). The cached build's own "undo"
// batch is plain overrides written by SQL with no undoes_id (test/bench/scale/build.ts), so until this figure nothing
// exercised a real undo at 10M. Each run leaves its batch and the undo in the cache (~2 × 100k override rows); the
// photos are open again afterwards, so every run finds the same filter matching the same photos.
import type { CheckName } from '../../../lib/checks.ts';
import { refreshInclusionSummary, summaryFreshness } from '../../../lib/queries/inclusionSummary.ts';
import { bulkOverride, undoOverrideBatch } from '../../../lib/queries/overrideBatches.ts';
import { type CheckPhotoCriteria, listCheckPhotos } from '../../../lib/queries/overrides.ts';

/** The review bench's size and target for a bulk action and its undo (test/bench/review*). */
export const BULK_TARGET = { photos: 100_000, seconds: 5 } as const;

/**
 * The open results of `check` from the highest score down to the lowest bound (in hundredths) that keeps the match at
 * or under `upTo` photos: a filter the Checks page offers (verdict, open, score ≥), counted as the page counts it.
 */
async function filterOfSize(
  check: CheckName,
  upTo: number,
): Promise<{ filter: CheckPhotoCriteria; n: number }> {
  let best: { filter: CheckPhotoCriteria; n: number } | undefined;
  for (let minScore = 0.99; minScore >= 0; minScore = Math.round((minScore - 0.01) * 100) / 100) {
    const filter: CheckPhotoCriteria = { verdict: 'fail', status: 'open', minScore };
    const { total } = await listCheckPhotos(check, { ...filter, page: 1, pageSize: 1 });
    if (total > upTo) break;
    best = { filter, n: total };
  }
  if (!best?.n) throw new Error(`no open ${check} fails to override in bulk`);
  return best;
}

export async function bulkUndoFigures(check: CheckName): Promise<{
  n: number;
  filter: CheckPhotoCriteria;
  bulkS: number;
  undoS: number;
  undone: number;
  summaryS: number;
  accounts: number;
}> {
  const { filter, n } = await filterOfSize(check, BULK_TARGET.photos);
  const stamp = Date.now();
  let t = performance.now();
  const batch = await bulkOverride({
    userId: 'bench-user-1',
    check,
    filter,
    newVerdict: 'pass',
    reason: 'scale bench bulk',
    expectedCount: n,
    requestId: `scale-bulk-${stamp}`,
  });
  const bulkS = (performance.now() - t) / 1000;
  t = performance.now();
  const undo = await undoOverrideBatch({
    userId: 'bench-user-1',
    batchId: batch.id,
    requestId: `scale-undo-${stamp}`,
  });
  const undoS = (performance.now() - t) / 1000;
  // The two batches noted ~40k accounts for the dashboard summary; they are counted here, so the parts measured after
  // this one (and the next run's dashboard) do not pay for it (a run of 2026-12-06 waited 217 s for it in the background).
  t = performance.now();
  let accounts = 0;
  while ((await summaryFreshness()).pendingAccounts > 0) {
    const r = await refreshInclusionSummary();
    accounts += r.accounts;
    // Another refresh (a background one) holds it: wait for that one.
    if (r.busy) await new Promise((done) => setTimeout(done, 100));
  }
  const summaryS = (performance.now() - t) / 1000;
  return { n, filter, bulkS, undoS, undone: undo.count, summaryS, accounts };
}

export function printBulkUndoFigures(check: string, f: Awaited<ReturnType<typeof bulkUndoFigures>>): void {
  const line = (what: string, s: number) =>
    console.log(
      `${what.padEnd(46)} ${`${s.toFixed(2)} s`.padStart(12)}  (the review bench's target: < ${BULK_TARGET.seconds} s for ${BULK_TARGET.photos.toLocaleString('en-US')})`,
    );
  console.log(
    `bulk override and undo of ${check} ${JSON.stringify(f.filter)}: ${f.n.toLocaleString('en-US')} photos, ${f.undone.toLocaleString('en-US')} put back`,
  );
  line(`  bulk override (${f.n.toLocaleString('en-US')} photos, one batch)`, f.bulkS);
  line('  undo of that batch', f.undoS);
  console.log(
    `${`  dashboard summary caught up (${f.accounts.toLocaleString('en-US')} accounts here)`.padEnd(46)} ${`${f.summaryS.toFixed(1)} s`.padStart(12)}`,
  );
}
