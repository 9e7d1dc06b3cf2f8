// A stage made for testing the job framework: items are numbers, a batch writes one row per item into synth_results.
import pg from 'pg';
import { failures, type StageAdapter } from '../../../pipeline/runs/types.ts';

export const SYNTH_TABLES = `
  CREATE TABLE IF NOT EXISTS synth_results (stage text, item int, value bigint, PRIMARY KEY (stage, item));
  CREATE TABLE IF NOT EXISTS synth_attempts (stage text, key text, pid int, at timestamptz DEFAULT clock_timestamp());
  CREATE TABLE IF NOT EXISTS synth_faults (stage text, key text, remaining int, PRIMARY KEY (stage, key));
  CREATE TABLE IF NOT EXISTS synth_stalls (stage text, key text, remaining int, PRIMARY KEY (stage, key));`;

let pool: pg.Pool | undefined;
function q(): pg.Pool {
  if (!pool) {
    pool = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });
    // Dropping the test database ends idle connections; that is not a failure of the test.
    pool.on('error', () => {});
  }
  return pool;
}
export const closeSynthPool = async () => {
  await pool?.end();
  pool = undefined;
};

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const t = setTimeout(resolve, ms);
    signal.addEventListener(
      'abort',
      () => {
        clearTimeout(t);
        reject(signal.reason);
      },
      { once: true },
    );
  });

/** Deterministic "work": a value per item, so interrupted and uninterrupted runs can be compared row for row. */
export const synthValue = (stage: string, item: number) =>
  (item * 2654435761 + stage.length * 97) % 1_000_003;

/**
 * Items 0..limit-1 in batches of batchSize. Each item sleeps SYNTH_ITEM_MS; item % 7 === 3 is a per-item failure
 * ("odd"). A row in synth_faults makes that batch throw `remaining` more times; one in synth_stalls makes it hang
 * (until its signal aborts) `remaining` more times.
 */
export function syntheticStage(name: string, opts: { after?: boolean; itemMs?: number } = {}): StageAdapter {
  return {
    name,
    label: `Synthetic ${name}`,
    *plan(run) {
      const n = run.config.limit ?? 40;
      const size = run.config.batchSize ?? 5;
      for (let from = 0; from < n; from += size) {
        const to = Math.min(n, from + size);
        yield { key: `b${String(from).padStart(6, '0')}`, params: { from, to }, items: to - from };
      }
    },
    async runBatch(batch, ctx) {
      await q().query('INSERT INTO synth_attempts (stage, key, pid) VALUES ($1, $2, $3)', [
        name,
        batch.key,
        process.pid,
      ]);
      const { rows } = await q().query<{ remaining: number }>(
        'UPDATE synth_faults SET remaining = remaining - 1 WHERE stage = $1 AND key = $2 AND remaining > 0 RETURNING remaining',
        [name, batch.key],
      );
      if (rows.length) throw new Error(`synthetic fault in ${batch.key}`);
      const { rowCount: stalls } = await q().query(
        'UPDATE synth_stalls SET remaining = remaining - 1 WHERE stage = $1 AND key = $2 AND remaining > 0',
        [name, batch.key],
      );
      if (stalls) await sleep(3_600_000, ctx.signal);
      const { from, to } = batch.params as { from: number; to: number };
      const itemMs = opts.itemMs ?? Number(process.env.SYNTH_ITEM_MS ?? 0);
      let ok = 0;
      let failed = 0;
      for (let i = from; i < to; i++) {
        if (itemMs) await sleep(itemMs, ctx.signal);
        if (i % 7 === 3) {
          failed++;
          continue;
        }
        await q().query(
          'INSERT INTO synth_results (stage, item, value) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING',
          [name, i, synthValue(name, i)],
        );
        ok++;
      }
      return { ok, failed, failuresByKind: failures('odd', failed) };
    },
    ...(opts.after
      ? {
          async after() {
            await q().query(`INSERT INTO synth_attempts (stage, key, pid) VALUES ($1, '__after__', $2)`, [
              name,
              process.pid,
            ]);
            return { ok: 1, failed: 0 };
          },
        }
      : {}),
  };
}
