// A reviewer's bulk override of ~100k photos on the 10M-photo database and its undo, through the functions the Checks
// page's bulk action and the batch's Undo button call (bulkOverride, undoOverrideBatch). The cached build's own "undo"
// batch is plain overrides written by SQL with no undoes_id (test/bench/scale/build.ts), so until this figure nothing
// exercised a real undo at 10M. Each run leaves its batch and the undo in the cache (~2 × 100k override rows), and
// the photos are open again afterwards: taking the same photos every run piled ~8 overrides on each of them after ten
// runs, which no reviewer's photo carries, and slowed what reads a photo's history (the check pages' deep pages, the
// bulk's own lookups). So each run takes the next set: the checks in turn, and in each check the next band of scores.
import type { CheckName } from '../../../lib/checks.ts';
import { db } from '../../../lib/db.ts';
import { refreshInclusionSummary, summaryFreshness } from '../../../lib/queries/inclusionSummary.ts';
import { bulkOverride, undoOverrideBatch } from '../../../lib/queries/overrideBatches.ts';
import { type CheckPhotoCriteria, listCheckPhotos } from '../../../lib/queries/overrides.ts';

/** The review bench's size and target for a bulk action and its undo (test/bench/review*). */
export const BULK_TARGET = { photos: 100_000, seconds: 5 } as const;

/** The checks whose open fails the runs take in turn (each has ~300k–500k fails at 10M photos: 3–5 bands). */
export const BULK_CHECKS: readonly CheckName[] = ['border', 'resolution', 'clip_nonphoto'];

/**
 * The open fails of `check` cut into bands of scores from the top, each as wide as keeps it at or under `upTo` photos
 * (bounds in hundredths): filters the Checks page offers (verdict, open, score range), counted as the page counts
 * them. A band's top is the band above's bottom.
 */
async function bands(check: CheckName, upTo: number): Promise<{ filter: CheckPhotoCriteria; n: number }[]> {
  const below = (x: number) => Math.round((x - 0.01) * 100) / 100;
  const found: { filter: CheckPhotoCriteria; n: number }[] = [];
  let best: { filter: CheckPhotoCriteria; n: number } | undefined;
  let maxScore: number | undefined;
  let minScore = 0.99;
  while (minScore >= 0) {
    const filter: CheckPhotoCriteria = { verdict: 'fail', status: 'open', minScore, maxScore };
    const { total } = await listCheckPhotos(check, { ...filter, page: 1, pageSize: 1 });
    if (total <= upTo) {
      best = { filter, n: total };
      minScore = below(minScore);
      continue;
    }
    if (!best?.n) break; // one hundredth of scores holds more than upTo: no narrower filter the page offers
    // The band ends where the next hundredth would overflow it; the next band starts there (that hundredth counted again).
    found.push(best);
    maxScore = best.filter.minScore;
    best = undefined;
  }
  if (best?.n) found.push(best);
  if (!found.length) throw new Error(`no open ${check} fails to override in bulk`);
  return found;
}

/** This run's check and filter: the next in turn after the bulk batches earlier runs left in the cache. */
async function nextBulkSet(
  upTo: number,
): Promise<{ check: CheckName; filter: CheckPhotoCriteria; n: number }> {
  const [{ runs }] = await db().$queryRaw<{ runs: number }[]>`
    SELECT count(*)::int AS runs FROM override_batches WHERE request_id LIKE 'scale-bulk-%'`;
  const check = BULK_CHECKS[runs % BULK_CHECKS.length];
  const all = await bands(check, upTo);
  return { check, ...all[Math.floor(runs / BULK_CHECKS.length) % all.length] };
}

export async function bulkUndoFigures(): Promise<{
  check: CheckName;
  n: number;
  filter: CheckPhotoCriteria;
  bulkS: number;
  undoS: number;
  undone: number;
  summaryS: number;
  accounts: number;
}> {
  const { check, filter, n } = await nextBulkSet(BULK_TARGET.photos);
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
  return { check, n, filter, bulkS, undoS, undone: undo.count, summaryS, accounts };
}

export function printBulkUndoFigures(f: Awaited<ReturnType<typeof bulkUndoFigures>>): void {
  const line = (what: string, s: number) =>
    console.log(
      `${what.padEnd(46)} ${`${s.toFixed(2)} s`.padStart(12)}  (the review bench's target: < ${BULK_TARGET.seconds} s for ${BULK_TARGET.photos.toLocaleString('en-US')})`,
    );
  console.log(
    `bulk override and undo of ${f.check} ${JSON.stringify(f.filter)}: ${f.n.toLocaleString('en-US')} photos, ${f.undone.toLocaleString('en-US')} put back`,
  );
  line(`  bulk override (${f.n.toLocaleString('en-US')} photos, one batch)`, f.bulkS);
  line('  undo of that batch', f.undoS);
  console.log(
    `${`  dashboard summary caught up (${f.accounts.toLocaleString('en-US')} accounts here)`.padEnd(46)} ${`${f.summaryS.toFixed(1)} s`.padStart(12)}`,
  );
}
