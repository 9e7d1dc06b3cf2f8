// Review quality: agreement of blind double reviews (per reviewer pair and overall), the adjudication queue, and pace.
import { db } from '../db.ts';
import { agreementTable, cohenKappa, type Agreement } from '../stats/kappa.ts';
import { REJECT_REASON_KEYS } from '../reviewVocabulary.ts';
import { drawnSql, type DoubleReviewSettings } from './doubleReview.ts';

export type PairAgreement = { a: string; b: string; decision: Agreement; reason: Agreement };
export type AdjudicationItem = {
  nsid: string;
  username: string | null;
  rank: number | null;
  reviews: {
    userName: string;
    decision: string;
    reason: string | null;
    note: string | null;
    createdAt: string;
  }[];
};
export type ReviewerPace = {
  name: string;
  decisions: number;
  perHour: number | null;
  medianSeconds: number | null;
};
export type ReviewQuality = {
  share: number;
  topN: number;
  /** Completed double reviews (a blind second decision against a first). */
  doubleReviewed: number;
  awaitingSecond: number;
  awaitingAdjudication: number;
  overall: { decision: Agreement; reason: Agreement };
  pairs: PairAgreement[];
  adjudication: AdjudicationItem[];
  pace: {
    windowDays: number;
    reviewers: ReviewerPace[];
    overall: ReviewerPace;
    /** Decisions still needed for the top N: one per pending account, two for one drawn for double review. */
    decisionsLeft: number;
    hoursLeft: number | null;
  };
};

type Pair = {
  aId: string;
  aName: string;
  bId: string;
  bName: string;
  d1: string;
  r1: string | null;
  d2: string;
  r2: string | null;
};

const STANDING = `d.decision IN ('approve', 'reject') AND NOT EXISTS (SELECT 1 FROM account_decisions u WHERE u.undoes_id = d.id)`;

/** Each standing second decision with the first decision it was made against (the newest standing round 1 before it). */
async function doublePairs(): Promise<Pair[]> {
  return db().$queryRawUnsafe<Pair[]>(`
    SELECT f.user_id AS "aId", COALESCE(ua.name, ua.email) AS "aName", d.user_id AS "bId", COALESCE(ub.name, ub.email) AS "bName",
      f.decision::text AS d1, f.reason AS r1, d.decision::text AS d2, d.reason AS r2
    FROM account_decisions d
    JOIN LATERAL (
      SELECT d1.user_id, d1.decision, d1.reason FROM account_decisions d1
      WHERE d1.account_nsid = d.account_nsid AND d1.round = 1 AND d1.id < d.id AND d1.decision IN ('approve', 'reject')
        AND NOT EXISTS (SELECT 1 FROM account_decisions u WHERE u.undoes_id = d1.id)
      ORDER BY d1.id DESC LIMIT 1) f ON true
    JOIN users ua ON ua.id = f.user_id JOIN users ub ON ub.id = d.user_id
    WHERE d.round = 2 AND ${STANDING}`);
}

/** Approve/reject agreement over every pair, and reject-reason agreement over the pairs where both rejected. */
function agreementOf(pairs: Pair[]): { decision: Agreement; reason: Agreement } {
  const decision = cohenKappa(
    agreementTable(
      ['approve', 'reject'] as const,
      pairs.map((p) => [p.d1, p.d2] as ['approve' | 'reject', 'approve' | 'reject']),
    ),
  );
  const bothRejected = pairs.filter((p) => p.d1 === 'reject' && p.d2 === 'reject');
  const known = (r: string | null): string =>
    r && (REJECT_REASON_KEYS as readonly string[]).includes(r) ? r : 'other';
  const reason = cohenKappa(
    agreementTable(
      REJECT_REASON_KEYS,
      bothRejected.map((p) => [known(p.r1), known(p.r2)] as [never, never]),
    ),
  );
  return { decision, reason };
}

async function adjudicationQueue(limit: number): Promise<AdjudicationItem[]> {
  const rows = await db().$queryRawUnsafe<
    (Omit<AdjudicationItem, 'reviews'> & { reviews: AdjudicationItem['reviews'] })[]
  >(
    `
    SELECT a.nsid, a.username, a.rank, (
      SELECT json_agg(json_build_object('userName', COALESCE(u.name, u.email), 'decision', d.decision, 'reason', d.reason, 'note', d.note,
        'createdAt', d.created_at) ORDER BY d.id)
      FROM account_decisions d JOIN users u ON u.id = d.user_id
      WHERE d.account_nsid = a.nsid AND d.round IN (1, 2) AND ${STANDING}
        AND d.id > COALESCE((SELECT max(r.id) FROM account_decisions r WHERE r.account_nsid = a.nsid AND r.decision = 'reopen'), 0)) AS reviews
    FROM accounts a WHERE a.qc_stage = 'adjudication' ORDER BY a.rank NULLS LAST, a.nsid LIMIT $1`,
    limit,
  );
  return rows.map((r) => ({ ...r, reviews: r.reviews ?? [] }));
}

/**
 * Pace over the last `windowDays`: decisions per active hour (clock hours with a decision, as on the dashboard) and the
 * median seconds between a reviewer's consecutive decisions, leaving out gaps over 15 minutes (breaks, not accounts).
 */
async function pace(windowDays: number): Promise<{ reviewers: ReviewerPace[]; overall: ReviewerPace }> {
  const rows = await db().$queryRawUnsafe<
    { name: string | null; decisions: number; hours: number; median: number | null }[]
  >(
    `
    WITH d AS (
      SELECT d.user_id, d.created_at, EXTRACT(EPOCH FROM d.created_at - lag(d.created_at) OVER (PARTITION BY d.user_id ORDER BY d.created_at, d.id)) AS gap
      FROM account_decisions d WHERE d.created_at > now() - make_interval(days => $1) AND d.decision IN ('approve', 'reject'))
    SELECT COALESCE(u.name, u.email) AS name, count(*)::int AS decisions, count(DISTINCT date_trunc('hour', d.created_at))::int AS hours,
      (percentile_cont(0.5) WITHIN GROUP (ORDER BY d.gap) FILTER (WHERE d.gap <= 900))::float8 AS median
    FROM d JOIN users u ON u.id = d.user_id GROUP BY ROLLUP (1)`,
    windowDays,
  );
  const toPace = (r: (typeof rows)[number], name: string): ReviewerPace => ({
    name,
    decisions: r.decisions,
    perHour: r.hours > 0 ? r.decisions / r.hours : null,
    medianSeconds: r.median,
  });
  const all = rows.find((r) => r.name === null);
  return {
    reviewers: rows
      .filter((r) => r.name !== null)
      .map((r) => toPace(r, r.name as string))
      .sort((a, b) => b.decisions - a.decisions || a.name.localeCompare(b.name)),
    overall: all
      ? toPace(all, 'Everyone')
      : { name: 'Everyone', decisions: 0, perHour: null, medianSeconds: null },
  };
}

export async function getReviewQuality(
  settings: DoubleReviewSettings,
  opts: { windowDays?: number; adjudicationLimit?: number } = {},
): Promise<ReviewQuality> {
  const windowDays = opts.windowDays ?? 7;
  const [pairs, adjudication, [stages], p] = await Promise.all([
    doublePairs(),
    adjudicationQueue(opts.adjudicationLimit ?? 100),
    db().$queryRaw<{ second: number; adjudication: number; left: number }[]>`
      SELECT count(*) FILTER (WHERE a.qc_stage = 'second')::int AS second, count(*) FILTER (WHERE a.qc_stage = 'adjudication')::int AS adjudication,
        (count(*) FILTER (WHERE a.review_status = 'pending' AND a.qc_stage <> 'adjudication')
          + count(*) FILTER (WHERE a.review_status = 'pending' AND a.qc_stage = 'none' AND ${drawnSql(settings)}))::int AS left
      FROM accounts a WHERE a.rank <= ${settings.topN}`,
    pace(windowDays),
  ]);
  const byPair = new Map<string, Pair[]>();
  for (const pr of pairs) {
    // A pair is the two people, whichever of them reviewed first.
    // Kappa's table is rater by rater, so each pair's table puts the same person in the rows every time.
    const [first, second] = [pr.aName, pr.bName].sort();
    const key = `${first}\u0000${second}`;
    const oriented = pr.aName === first ? pr : { ...pr, d1: pr.d2, r1: pr.r2, d2: pr.d1, r2: pr.r1 };
    byPair.set(key, [...(byPair.get(key) ?? []), oriented]);
  }
  return {
    share: settings.share,
    topN: settings.topN,
    doubleReviewed: pairs.length,
    awaitingSecond: stages.second,
    awaitingAdjudication: stages.adjudication,
    overall: agreementOf(pairs),
    pairs: [...byPair.entries()]
      .map(([key, list]) => {
        const [a, b] = key.split('\u0000');
        return { a, b, ...agreementOf(list) };
      })
      .sort((x, y) => y.decision.n - x.decision.n || x.a.localeCompare(y.a)),
    adjudication,
    pace: {
      windowDays,
      ...p,
      decisionsLeft: stages.left,
      hoursLeft: stages.left === 0 ? 0 : p.overall.perHour ? stages.left / p.overall.perHour : null,
    },
  };
}
