// Review progress of the top accounts for the dashboard: decided/total, who decided them, and the pace so far.
import { db } from '../db.ts';

export type ReviewerProgress = { name: string; decided: number; perHour: number | null };
export type ReviewProgress = {
  topN: number;
  total: number;
  decided: number;
  approved: number;
  rejected: number;
  reviewers: ReviewerProgress[];
  /** Standing decisions per hour in which anyone decided, over the last `windowDays`; null before the first one. */
  perHour: number | null;
  /** Hours of reviewing left at that pace; null when there is no pace yet. */
  hoursLeft: number | null;
  windowDays: number;
};

// A decision counts while no undo points at it.
const STANDING = `d.decision IN ('approve', 'reject') AND NOT EXISTS (SELECT 1 FROM account_decisions u WHERE u.undoes_id = d.id)`;

/**
 * Pace is measured over "active hours" (clock hours with at least one decision) so nights and weekends don't dilute it:
 * the time left then reads as hours of reviewing at the team's usual speed, not calendar time.
 */
export async function getReviewProgress(topN: number, windowDays = 7): Promise<ReviewProgress> {
  const [counts] = await db().$queryRaw<
    { total: number; decided: number; approved: number; rejected: number }[]
  >`
    SELECT count(*)::int AS total, count(*) FILTER (WHERE review_status <> 'pending')::int AS decided,
      count(*) FILTER (WHERE review_status = 'approved')::int AS approved, count(*) FILTER (WHERE review_status = 'rejected')::int AS rejected
    FROM accounts WHERE rank <= ${topN}`;
  // Who made each top account's standing decision.
  const byUser = await db().$queryRawUnsafe<{ name: string; decided: number }[]>(
    `
    SELECT COALESCE(u.name, u.email) AS name, count(*)::int AS decided FROM (
      SELECT DISTINCT ON (d.account_nsid) d.account_nsid, d.user_id FROM account_decisions d
      JOIN accounts a ON a.nsid = d.account_nsid AND a.rank <= $1 AND a.review_status <> 'pending'
      WHERE ${STANDING}
      ORDER BY d.account_nsid, d.created_at DESC, d.id DESC) x
    JOIN users u ON u.id = x.user_id GROUP BY 1`,
    topN,
  );
  const pace = await db().$queryRawUnsafe<{ name: string | null; decisions: number; hours: number }[]>(
    `
    SELECT COALESCE(u.name, u.email) AS name, count(*)::int AS decisions, count(DISTINCT date_trunc('hour', d.created_at))::int AS hours
    FROM account_decisions d JOIN users u ON u.id = d.user_id
    WHERE d.created_at > now() - make_interval(days => $1) AND ${STANDING}
    GROUP BY ROLLUP (1)`,
    windowDays,
  );
  const all = pace.find((p) => p.name === null);
  const perHour = all && all.hours > 0 ? all.decisions / all.hours : null;
  const names = new Set([
    ...byUser.map((u) => u.name),
    ...pace.filter((p) => p.name !== null).map((p) => p.name as string),
  ]);
  const reviewers = [...names]
    .map((name) => {
      const p = pace.find((x) => x.name === name);
      return {
        name,
        decided: byUser.find((u) => u.name === name)?.decided ?? 0,
        perHour: p && p.hours > 0 ? p.decisions / p.hours : null,
      };
    })
    .sort((a, b) => b.decided - a.decided || a.name.localeCompare(b.name));
  const left = counts.total - counts.decided;
  return {
    topN,
    ...counts,
    reviewers,
    perHour,
    windowDays,
    hoursLeft: left === 0 ? 0 : perHour ? left / perHour : null,
  };
}
