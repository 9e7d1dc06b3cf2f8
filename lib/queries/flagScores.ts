// Accounts' flag scores: the expected share of their checked photos a reviewer would reject. The formula lives in
// SQL (prisma/migrations/20261205160000_flag_score): triggers note which accounts changed, and this refresh
// recomputes them. Callers refresh after each run batch and each override, outside their own transaction.
import { db } from '../db.ts';

/** Recomputes the scores of accounts whose checks changed (every account with `everyAccount`); returns how many moved. */
export async function refreshFlagScores(opts: { everyAccount?: boolean } = {}): Promise<number> {
  const [row] = await db().$queryRaw<
    { changed: number }[]
  >`SELECT quarry_refresh_flag_scores(${opts.everyAccount ?? false}) AS changed`;
  return row.changed;
}

export type UncertainWeight = { weight: number; basedOn: number };

/** The weight an `uncertain` verdict counts with, and how many reviewer overrides of `uncertain` it was estimated from. */
export async function uncertainWeight(): Promise<UncertainWeight> {
  const [row] = await db().$queryRaw<{ weight: number; basedOn: number }[]>`
    SELECT uncertain_weight AS weight, based_on AS "basedOn" FROM quarry_internal.flag_score_settings`;
  return row ?? { weight: 0.5, basedOn: 0 };
}
