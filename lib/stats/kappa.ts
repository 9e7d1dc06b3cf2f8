// Agreement between two raters: percent agreement and Cohen's kappa with its large-sample 95% interval.
import { Z95 } from './wilson.ts';

export type Agreement = {
  /** Items both raters rated. */
  n: number;
  /** Share of items on which they agree (observed agreement, p_o). */
  percent: number;
  /** Agreement expected by chance from each rater's own category shares (p_e). */
  chance: number;
  /** Cohen's kappa, (p_o − p_e) / (1 − p_e); null when it is undefined (no items, or both raters always used one category). */
  kappa: number | null;
  /** Asymptotic standard error of kappa (Fleiss, Cohen & Everitt 1969), the one SAS PROC FREQ reports as ASE. */
  se: number | null;
  low: number | null;
  high: number | null;
};

/**
 * Kappa from a square table of counts: `table[i][j]` = items rater A put in category i and rater B in category j.
 * The interval is kappa ± z·ASE, clamped to [−1, 1]; with few items it is wide, which is the point of showing it.
 */
export function cohenKappa(table: readonly (readonly number[])[], z = Z95): Agreement {
  const k = table.length;
  if (table.some((row) => row.length !== k)) throw new RangeError('cohenKappa: the table must be square');
  if (table.some((row) => row.some((c) => !Number.isInteger(c) || c < 0)))
    throw new RangeError('cohenKappa: counts must be non-negative integers');
  const n = table.reduce((s, row) => s + row.reduce((a, b) => a + b, 0), 0);
  if (n === 0) return { n: 0, percent: 0, chance: 0, kappa: null, se: null, low: null, high: null };
  const p = table.map((row) => row.map((c) => c / n));
  const rows = p.map((row) => row.reduce((a, b) => a + b, 0));
  const cols = p[0].map((_, j) => p.reduce((s, row) => s + row[j], 0));
  const po = p.reduce((s, row, i) => s + row[i], 0);
  const pe = rows.reduce((s, r, i) => s + r * cols[i], 0);
  if (1 - pe < 1e-12) return { n, percent: po, chance: pe, kappa: null, se: null, low: null, high: null };
  const kappa = (po - pe) / (1 - pe);
  // Fleiss, Cohen & Everitt (1969): var = (A + B − C) / ((1 − p_e)² n).
  let a = 0;
  let b = 0;
  for (let i = 0; i < k; i++) {
    a += p[i][i] * (1 - (rows[i] + cols[i]) * (1 - kappa)) ** 2;
    for (let j = 0; j < k; j++) if (i !== j) b += p[i][j] * (cols[i] + rows[j]) ** 2;
  }
  b *= (1 - kappa) ** 2;
  const c = (kappa - pe * (1 - kappa)) ** 2;
  const se = Math.sqrt(Math.max(0, a + b - c) / ((1 - pe) ** 2 * n));
  // A zero standard error comes from a degenerate table (a rater gave one answer only, or every item agreed): the
  // large-sample formula then claims a certainty it does not have, so no interval is given.
  if (se === 0) return { n, percent: po, chance: pe, kappa, se, low: null, high: null };
  return {
    n,
    percent: po,
    chance: pe,
    kappa,
    se,
    low: Math.max(-1, kappa - z * se),
    high: Math.min(1, kappa + z * se),
  };
}

/** Builds the square table from paired ratings over a fixed list of categories (unknown ones are an error, not dropped). */
export function agreementTable<C extends string>(
  categories: readonly C[],
  pairs: readonly (readonly [C, C])[],
): number[][] {
  const index = new Map(categories.map((c, i) => [c, i]));
  const table = categories.map(() => categories.map(() => 0));
  for (const [x, y] of pairs) {
    const i = index.get(x);
    const j = index.get(y);
    if (i === undefined || j === undefined)
      throw new RangeError(`agreementTable: unknown category in pair (${x}, ${y})`);
    table[i][j]++;
  }
  return table;
}
