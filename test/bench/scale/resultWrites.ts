// The checks stage's result writes (saveCheckResults: new results, and a re-check moving every verdict) with every
// trigger of check_results on, at several batch sizes, as results per second and the time a re-check of every result
// of the database would take at that rate; then, at the stage's batch, the same with the count triggers
// (20261205222000_check_counts, 20261205222020_overridden_results) off, for their share. The other triggers of
// check_results (photo_flags, the inclusion summary) stay on in both: they are not what is compared.
import { CHECK_NAMES } from '../../../lib/checks.ts';
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

/** The checks stage's batch (pipeline/runs/stages/analyze.ts BATCH) and larger ones a run can ask for (batchSize). */
export const RESULT_BATCHES = [100, 500, 2000] as const;
const STAGE_BATCH = 100;

/**
 * A re-check of every result of a Megalith-sized database (77.2M) within 2 hours on this machine: a new check version
 * re-run overnight. That is ≥ ~10,700 results/s for the writes alone.
 */
export const RECHECK_TARGET = { results: 77_200_000, hours: 2 } as const;

async function setTriggers(on: boolean): Promise<void> {
  for (const t of TRIGGERS)
    await db().$executeRawUnsafe(`ALTER TABLE check_results ${on ? 'ENABLE' : 'DISABLE'} TRIGGER ${t}`);
}

type Figures = { insertMs: number[]; recheckMs: number[] };
export type ResultWriteFigures = {
  check: string;
  rounds: number;
  /** check_results' row count (the planner's estimate): what a full re-check writes. */
  results: number;
  bySize: { batch: number; on: Figures }[];
  /** The stage's batch with the count triggers off. */
  off: Figures;
};

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/**
 * Each size's rounds take batches of results of photos with no override (so neither variant has overridden results
 * to list), spread over the table as the stage's batches of not-yet-checked photos are; each round deletes its rows,
 * times their insert and a re-check of every one, and writes them back as they were. A first round of each size is not
 * timed: every pooled connection plans the trigger statements on its first write.
 *
 * The "on" sizes run first, with no trigger switched before them: ALTER TABLE … TRIGGER invalidates every session's
 * cached plans of check_results' trigger functions, which the pipeline never pays. The "off" rounds follow as one
 * block (one switch off, one back on), their rows written back as they were afterwards.
 */
export async function resultWriteFigures(check: string, rounds: number): Promise<ResultWriteFigures> {
  const perSize = (b: number) => b * (rounds + 1);
  const need = RESULT_BATCHES.reduce((n, b) => n + perSize(b), 0) + perSize(STAGE_BATCH);
  const [{ results }] = await db().$queryRaw<{ results: number }[]>`
    SELECT greatest(reltuples, 1)::float8 AS results FROM pg_class WHERE oid = 'check_results'::regclass`;
  // Pages enough for 3× the rows needed of this check (one check's rows are about 1/8 of the table's).
  const percent = Math.min(100, ((need * 3 * CHECK_NAMES.length) / results) * 100);
  const pool = await db().$queryRawUnsafe<
    {
      photo_id: string;
      verdict: CheckResultRow['verdict'];
      score: number | null;
      details: unknown;
      version: string;
    }[]
  >(
    `SELECT photo_id, verdict::text AS verdict, score, details, version
    FROM check_results cr TABLESAMPLE SYSTEM (${percent.toFixed(4)}) REPEATABLE (7)
    WHERE cr."check" = $1
      AND NOT EXISTS (SELECT 1 FROM overrides o WHERE o.photo_id = cr.photo_id AND o."check" = cr."check")
    LIMIT $2`,
    check,
    need,
  );
  if (pool.length < need) throw new Error(`only ${pool.length} ${check} results to write (${need} needed)`);
  let next = 0;
  const take = (n: number): CheckResultRow[] =>
    pool.slice(next, (next += n)).map((r) => ({
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
  // A re-check moving every verdict (pass ↔ fail, uncertain → fail) and score.
  const moved = (rows: CheckResultRow[]) =>
    rows.map((r) => ({
      ...r,
      verdict: r.verdict === 'fail' ? ('pass' as const) : ('fail' as const),
      score: (r.score ?? 0) + 0.001,
    }));
  const measure = async (batches: CheckResultRow[][], on: boolean): Promise<Figures> => {
    const f: Figures = { insertMs: [], recheckMs: [] };
    for (const [k, rows] of batches.entries()) {
      if (on) await remove(rows);
      let t = performance.now();
      await saveCheckResults(rows, null);
      const insertMs = performance.now() - t;
      t = performance.now();
      await saveCheckResults(moved(rows), null);
      const recheckMs = performance.now() - t;
      if (on) await saveCheckResults(rows, null);
      if (k === 0) continue; // the warm-up round
      f.insertMs.push(insertMs);
      f.recheckMs.push(recheckMs);
    }
    return f;
  };
  const batchesOf = (batch: number) => Array.from({ length: rounds + 1 }, () => take(batch));
  const bySize: ResultWriteFigures['bySize'] = [];
  for (const batch of RESULT_BATCHES) bySize.push({ batch, on: await measure(batchesOf(batch), true) });
  // The "off" rows leave the counts (deleted with the triggers on) before the switch, are written and re-checked
  // uncounted, deleted with the triggers still off, and written back as they were with the triggers on. (Deleted with
  // the triggers off first, they stayed counted and were then counted again: +1 per row.)
  const offBatches = batchesOf(STAGE_BATCH);
  const offRows = offBatches.flat();
  await remove(offRows);
  let off: Figures;
  await setTriggers(false);
  try {
    off = await measure(offBatches, false);
    await remove(offRows);
  } finally {
    await setTriggers(true);
  }
  await saveCheckResults(offRows, null);
  return { check, rounds, results, bySize, off };
}

const rate = (batch: number, ms: number) => (batch / ms) * 1000;

/** The batch size whose re-check rate is highest, and that rate (results/s). */
export function bestRecheck(f: ResultWriteFigures): { batch: number; perSecond: number } {
  return f.bySize
    .map((s) => ({ batch: s.batch, perSecond: rate(s.batch, median(s.on.recheckMs)) }))
    .reduce((a, b) => (b.perSecond > a.perSecond ? b : a));
}

export function printResultWriteFigures(f: ResultWriteFigures): void {
  const hours = (n: number, perSecond: number) => n / perSecond / 3600;
  console.log(
    `check-result writes (${f.check}, every trigger on), median of ${f.rounds} rounds; a re-check moves every verdict:`,
  );
  for (const s of f.bySize) {
    const ins = median(s.on.insertMs);
    const re = median(s.on.recheckMs);
    console.log(
      `  ${`${s.batch} a batch`.padEnd(14)} insert ${`${ins.toFixed(1)} ms`.padStart(10)} (${rate(s.batch, ins).toFixed(0).padStart(6)} results/s), re-check ${`${re.toFixed(1)} ms`.padStart(10)} (${rate(s.batch, re).toFixed(0).padStart(6)} results/s): all ${Math.round(f.results).toLocaleString('en-US')} results re-checked in ${hours(f.results, rate(s.batch, re)).toFixed(2)} h`,
    );
  }
  const stage = f.bySize.find((s) => s.batch === STAGE_BATCH)!;
  const share = (on: number[], off: number[]) => {
    const a = median(on);
    const b = median(off);
    return `${a.toFixed(1)} ms, without them ${b.toFixed(1)} ms (+${(((a - b) / b) * 100).toFixed(0)} %)`;
  };
  console.log(
    `  the count triggers' share at ${STAGE_BATCH} a batch: insert ${share(stage.on.insertMs, f.off.insertMs)}; re-check ${share(stage.on.recheckMs, f.off.recheckMs)}`,
  );
}
