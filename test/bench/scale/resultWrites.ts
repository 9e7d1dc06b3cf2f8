// The cost of the check-result triggers that keep the check pages' counts (20261205222000_check_counts,
// 20261205222020_overridden_results) on the pipeline's writes: the checks stage's batch (saveCheckResults, 100 photos of
// one check per batch by default) inserted as new results, then re-checked with changed verdicts, with those triggers
// on and off, on the 10M-photo database. The other triggers of check_results (photo_flags, the inclusion summary) stay
// on in both: they are not what is measured.
import { db } from '../../../lib/db.ts';
import { type CheckResultRow, saveCheckResults } from '../../../lib/queries/analysis.ts';

const TRIGGERS = [
  'check_results_check_counts_inserted',
  'check_results_check_counts_updated',
  // An "off" round deletes its rows with these off: with the delete trigger left on, each such round took its 100
  // re-checked rows (never counted) out of the counts (the 10M cache drifted by ~1,000 results until 2026-12-06).
  'check_results_check_counts_deleted',
  'check_results_overridden_results_inserted',
  'check_results_overridden_results_updated',
] as const;

async function setTriggers(on: boolean): Promise<void> {
  for (const t of TRIGGERS)
    await db().$executeRawUnsafe(`ALTER TABLE check_results ${on ? 'ENABLE' : 'DISABLE'} TRIGGER ${t}`);
}

type Figures = { insertMs: number[]; recheckMs: number[] };

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Rounds alternate on and off so a busy spell of a shared machine hits both alike; each round takes batches of results
 * of photos with no override (so neither variant has overridden results to list), deletes them (triggers on, so the
 * counts stay exact), times their insert and a re-check of every one, and leaves them as they were: an "off" round
 * deletes its rows with the triggers still off (they were never counted) and writes them back with the triggers on.
 */
export async function resultWriteFigures(
  check: string,
  batch: number,
  rounds: number,
): Promise<{ on: Figures; off: Figures }> {
  const out = { on: { insertMs: [], recheckMs: [] }, off: { insertMs: [], recheckMs: [] } } as {
    on: Figures;
    off: Figures;
  };
  // Spread over the table (a sample of its pages), as the stage's batches of not-yet-checked photos are.
  const pool = await db().$queryRaw<
    {
      photo_id: string;
      verdict: CheckResultRow['verdict'];
      score: number | null;
      details: unknown;
      version: string;
    }[]
  >`
    SELECT photo_id, verdict::text AS verdict, score, details, version FROM check_results cr TABLESAMPLE SYSTEM (0.2) REPEATABLE (7)
    WHERE cr."check" = ${check}
      AND NOT EXISTS (SELECT 1 FROM overrides o WHERE o.photo_id = cr.photo_id AND o."check" = cr."check")
    LIMIT ${batch * rounds * 2}`;
  if (pool.length < batch * rounds * 2) throw new Error(`only ${pool.length} ${check} results to write`);
  const rowsOf = (k: number): CheckResultRow[] =>
    pool.slice(k * batch, (k + 1) * batch).map((r) => ({
      photoId: r.photo_id,
      check,
      version: r.version,
      verdict: r.verdict,
      score: r.score,
      details: (r.details ?? {}) as Record<string, unknown>,
    }));
  const remove = (rows: CheckResultRow[]) =>
    db()
      .$executeRaw`DELETE FROM check_results WHERE "check" = ${check} AND photo_id = ANY(${rows.map((r) => r.photoId)}::text[])`;
  try {
    for (let k = 0; k < rounds * 2; k++) {
      const on = k % 2 === 0;
      const rows = rowsOf(k);
      // A re-check moving every verdict (pass ↔ fail, uncertain → fail) and score.
      const rechecked = rows.map((r) => ({
        ...r,
        verdict: r.verdict === 'fail' ? ('pass' as const) : ('fail' as const),
        score: (r.score ?? 0) + 0.001,
      }));
      await remove(rows);
      if (!on) await setTriggers(false);
      let t = performance.now();
      await saveCheckResults(rows, null);
      out[on ? 'on' : 'off'].insertMs.push(performance.now() - t);
      t = performance.now();
      await saveCheckResults(rechecked, null);
      out[on ? 'on' : 'off'].recheckMs.push(performance.now() - t);
      if (on) await saveCheckResults(rows, null);
      else {
        await remove(rows);
        await setTriggers(true);
        await saveCheckResults(rows, null);
      }
    }
  } finally {
    await setTriggers(true);
  }
  return out;
}

export function printResultWriteFigures(
  check: string,
  batch: number,
  f: { on: Figures; off: Figures },
): void {
  const line = (what: string, on: number[], off: number[]) => {
    const a = median(on);
    const b = median(off);
    console.log(
      `${`  ${what}`.padEnd(46)} ${`${a.toFixed(1)} ms`.padStart(12)}  without them ${b.toFixed(1)} ms: ${(a / b).toFixed(2)}× (+${(((a - b) / b) * 100).toFixed(0)} %), ${((batch / a) * 1000).toFixed(0)} vs ${((batch / b) * 1000).toFixed(0)} results/s`,
    );
  };
  console.log(
    `check-result writes, ${batch} ${check} results a batch (the checks stage's), median of ${f.on.insertMs.length} rounds with the count triggers on / off:`,
  );
  line('insert (new results)', f.on.insertMs, f.off.insertMs);
  line('upsert (re-check, every verdict moved)', f.on.recheckMs, f.off.recheckMs);
}
