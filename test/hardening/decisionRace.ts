// Simulated reviewers racing for the same accounts, each decision double-submitted: counts what was lost.
import { randomUUID } from 'node:crypto';
import { db } from '../../lib/db.ts';
import { ConflictError } from '../../lib/errors.ts';
import { decideAccount } from '../../lib/queries/decisions.ts';

export type RaceReport = {
  /** Distinct decisions sent (one requestId each; every one was sent twice at once, as a double click does). */
  submitted: number;
  /** Decisions the server confirmed. */
  confirmed: number;
  /** Decisions refused with a ConflictError (another reviewer got there first). */
  refused: number;
  /** Other errors: none are expected. */
  errors: string[];
  /** Rows in account_decisions for these accounts. */
  recorded: number;
  /** Confirmed decisions with no row, or whose account does not show them. */
  lost: number;
  /** Accounts with more than one decision row. */
  doubled: number;
};

/** Creates `reviewers` users and `accounts` pending accounts under `prefix`; returns their ids. */
export async function makeRaceData(
  prefix: string,
  reviewers: number,
  accounts: number,
): Promise<{ users: string[]; nsids: string[] }> {
  const users: string[] = [];
  for (let i = 0; i < reviewers; i++) {
    users.push(
      (
        await db().user.create({
          data: {
            email: `${prefix}-r${i}@race.test`,
            name: `${prefix} reviewer ${i}`,
            passwordHash: 'x',
            role: 'reviewer',
          },
        })
      ).id,
    );
  }
  const nsids = Array.from({ length: accounts }, (_, i) => `${prefix}${i}@N07`);
  await db().account.createMany({
    data: nsids.map((nsid, i) => ({ nsid, username: `${prefix} ${i}`, photoCount: 1, rank: i + 1 })),
  });
  return { users, nsids };
}

/**
 * Every reviewer decides every account (in its own order), each decision double-submitted concurrently; each account
 * must end with exactly one decision, the one the server confirmed, and every other reviewer must have been told.
 */
export async function raceDecisions(users: string[], nsids: string[]): Promise<RaceReport> {
  const confirmed = new Map<string, { requestId: string; decision: 'approve' | 'reject' }>();
  const report: RaceReport = {
    submitted: 0,
    confirmed: 0,
    refused: 0,
    errors: [],
    recorded: 0,
    lost: 0,
    doubled: 0,
  };
  await Promise.all(
    users.map(async (userId, u) => {
      const order = nsids.map((_, i) => nsids[(i * 7 + u * 3) % nsids.length]);
      for (const nsid of order) {
        const requestId = randomUUID();
        const decision = (u + nsid.length) % 2 === 0 ? ('approve' as const) : ('reject' as const);
        const input = {
          nsid,
          userId,
          decision,
          reason: decision === 'reject' ? 'watermarks' : null,
          requestId,
          expectedStatus: 'pending' as const,
        };
        report.submitted++;
        const results = await Promise.allSettled([decideAccount(input), decideAccount(input)]);
        const ok = results.filter(
          (r): r is PromiseFulfilledResult<Awaited<ReturnType<typeof decideAccount>>> =>
            r.status === 'fulfilled',
        );
        const bad = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
        if (ok.length) {
          if (ok.length === 2 && ok[0].value.decision.id !== ok[1].value.decision.id)
            report.errors.push(`${requestId}: two decisions for one request`);
          if (confirmed.has(nsid)) report.errors.push(`${nsid}: confirmed to two reviewers`);
          confirmed.set(nsid, { requestId, decision });
          report.confirmed++;
        } else if (bad.every((b) => b.reason instanceof ConflictError)) report.refused++;
        for (const b of bad) if (!(b.reason instanceof ConflictError)) report.errors.push(String(b.reason));
      }
    }),
  );
  const rows = await db().accountDecision.findMany({
    where: { accountNsid: { in: nsids } },
    select: { accountNsid: true, requestId: true },
  });
  const accounts = await db().account.findMany({
    where: { nsid: { in: nsids } },
    select: { nsid: true, reviewStatus: true },
  });
  report.recorded = rows.length;
  const perAccount = new Map<string, number>();
  for (const r of rows) perAccount.set(r.accountNsid, (perAccount.get(r.accountNsid) ?? 0) + 1);
  report.doubled = [...perAccount.values()].filter((n) => n > 1).length;
  const status = new Map(accounts.map((a) => [a.nsid, a.reviewStatus]));
  const recordedIds = new Set(rows.map((r) => r.requestId));
  for (const [nsid, c] of confirmed) {
    const shown = status.get(nsid) === (c.decision === 'approve' ? 'approved' : 'rejected');
    if (!recordedIds.has(c.requestId) || !shown) report.lost++;
  }
  return report;
}
