// The maintained summary behind the dashboard's included/excluded counts: the photo half of the inclusion rule's
// inputs grouped per account (prisma/migrations/20261205213000_inclusion_summary), recomputed for the accounts whose
// photos, results or overrides changed, and those groups summed per account class (review status, watermark verdict:
// all the rule reads of an account; 20261205213020_inclusion_rollup). The counts apply the rule's one reasons
// expression to each rolled-up group: a few thousand rows at 10M photos.
import { db, Prisma } from '../db.ts';
import { photoFactsSql, reasonsSql, type InclusionOptions } from '../inclusion.ts';

type Tx = Pick<ReturnType<typeof db>, '$queryRaw' | '$executeRaw'>;

/** Photos one refresh transaction recomputes at most (whole accounts; a larger account goes alone). */
const BATCH_PHOTOS = 200_000;

function insertGroups(accounts?: readonly string[]): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO quarry_internal.inclusion_counts (account_nsid, license, availability, watermark_override, check_reasons, photos)
    SELECT f.owner_nsid, f.license, f.availability, f.watermark_override, f.check_reasons, count(*)::int
    FROM (${photoFactsSql(accounts && { accounts })}) f GROUP BY 1, 2, 3, 4, 5`;
}

/** Adds (sign 1) or takes away (-1) the accounts' groups in the rollup over account classes. */
function rollUp(sign: 1 | -1, accounts?: readonly string[]): Prisma.Sql {
  return Prisma.sql`
    INSERT INTO quarry_internal.inclusion_rollup AS r
      (review_status, watermark_verdict, license, availability, watermark_override, check_reasons, photos)
    SELECT a.review_status, a.watermark_verdict, c.license, c.availability, c.watermark_override, c.check_reasons,
      ${sign}::int * sum(c.photos)
    FROM quarry_internal.inclusion_counts c JOIN accounts a ON a.nsid = c.account_nsid
    ${accounts ? Prisma.sql`WHERE c.account_nsid = ANY(${[...accounts]}::text[])` : Prisma.empty}
    GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5, 6
    ON CONFLICT (review_status, watermark_verdict, license, availability, watermark_override, check_reasons)
    DO UPDATE SET photos = r.photos + EXCLUDED.photos`;
}

type Step = 'busy' | 'rebuilt' | 'refreshed' | 'clean';

/** One transaction: rebuild whole if never built, else recompute the next batch of noted accounts. */
async function step(
  batchPhotos: number,
  maxAccountPhotos: number,
): Promise<{ step: Step; accounts: number }> {
  return db().$transaction(
    async (tx: Tx): Promise<{ step: Step; accounts: number }> => {
      // One refresher at a time; a second one (another page load) reads the summary as it is instead of waiting.
      const [{ locked }] = await tx.$queryRaw<
        { locked: boolean }[]
      >`SELECT pg_try_advisory_xact_lock(hashtext('quarry_inclusion_summary')) AS locked`;
      if (!locked) return { step: 'busy', accounts: 0 };
      const state = await tx.$queryRaw<unknown[]>`SELECT 1 FROM quarry_internal.inclusion_summary_state`;
      if (state.length === 0) {
        // The notes are dropped before the groups are computed: a write committed after the next statement's
        // snapshot keeps its note for the next refresh.
        await tx.$executeRaw`DELETE FROM quarry_internal.inclusion_dirty`;
        await tx.$executeRaw`DELETE FROM quarry_internal.inclusion_counts`;
        await tx.$executeRaw`DELETE FROM quarry_internal.inclusion_rollup`;
        await tx.$executeRaw(insertGroups());
        await tx.$executeRaw(rollUp(1));
        await tx.$executeRaw`INSERT INTO quarry_internal.inclusion_summary_state (id, built_at, refreshed_at) VALUES (true, now(), now())`;
        return { step: 'rebuilt', accounts: 0 };
      }
      const dirty = await tx.$queryRaw<{ nsid: string; photos: number }[]>`
        SELECT d.account_nsid AS nsid, COALESCE(a.photo_count, 0)::int AS photos
        FROM (SELECT DISTINCT account_nsid FROM quarry_internal.inclusion_dirty) d
        LEFT JOIN accounts a ON a.nsid = d.account_nsid ORDER BY 2, 1`;
      if (dirty.length === 0) {
        await tx.$executeRaw`UPDATE quarry_internal.inclusion_summary_state SET refreshed_at = now()`;
        return { step: 'clean', accounts: 0 };
      }
      const batch: string[] = [];
      let photos = 0;
      for (const d of dirty) {
        if (d.photos > maxAccountPhotos) break; // sorted by size: the rest are larger still
        if (batch.length > 0 && photos + d.photos > batchPhotos) break;
        batch.push(d.nsid);
        photos += d.photos;
      }
      // A decision waits for this batch (and this batch for a decision), so the account's class stays the one its
      // groups are taken out of and put back in (the class-change trigger moves them otherwise).
      await tx.$queryRaw`SELECT 1 FROM accounts WHERE nsid = ANY(${batch}::text[]) ORDER BY nsid FOR SHARE`;
      if (batch.length === 0) return { step: 'clean', accounts: 0 };
      await tx.$executeRaw`DELETE FROM quarry_internal.inclusion_dirty WHERE account_nsid = ANY(${batch}::text[])`;
      await tx.$executeRaw(rollUp(-1, batch));
      await tx.$executeRaw`DELETE FROM quarry_internal.inclusion_counts WHERE account_nsid = ANY(${batch}::text[])`;
      await tx.$executeRaw(insertGroups(batch));
      await tx.$executeRaw(rollUp(1, batch));
      await tx.$executeRaw`DELETE FROM quarry_internal.inclusion_rollup WHERE photos = 0`;
      if (batch.length === dirty.length)
        await tx.$executeRaw`UPDATE quarry_internal.inclusion_summary_state SET refreshed_at = now()`;
      return { step: 'refreshed', accounts: batch.length };
    },
    { timeout: 3_600_000, maxWait: 30_000 },
  );
}

export type RefreshResult = { rebuilt: boolean; accounts: number; busy: boolean };

/**
 * Brings the summary up to date: rebuilds it whole when it was never built (or was forgotten by a TRUNCATE), else
 * recomputes the noted accounts in batches until none is left or `budgetMs` has passed (with `maxAccountPhotos`, only
 * accounts up to that size: a 200k-photo account takes seconds).
 */
export async function refreshInclusionSummary(
  opts: { budgetMs?: number; batchPhotos?: number; maxAccountPhotos?: number } = {},
): Promise<RefreshResult> {
  const until = performance.now() + (opts.budgetMs ?? Number.POSITIVE_INFINITY);
  const out: RefreshResult = { rebuilt: false, accounts: 0, busy: false };
  for (;;) {
    const r = await step(opts.batchPhotos ?? BATCH_PHOTOS, opts.maxAccountPhotos ?? Number.POSITIVE_INFINITY);
    if (r.step === 'busy') return { ...out, busy: true };
    if (r.step === 'clean') return out;
    if (r.step === 'rebuilt') out.rebuilt = true;
    out.accounts += r.accounts;
    if (performance.now() >= until) return out;
  }
}

/** Time a reader of the summary (a dashboard load, a spot-check) spends bringing it up to date before it reads it. */
const READ_BUDGET_MS = 400;
/**
 * A reader's refresh recomputes accounts up to this size, at most this many photos a step (one transaction; the budget
 * is checked between steps): a whole batch of BATCH_PHOTOS, or the largest account (200k photos), takes seconds.
 */
const READ_INLINE_PHOTOS = 20_000;

/**
 * What a reader of the summary does first: recompute the changed accounts for up to READ_BUDGET_MS in steps of at
 * most READ_INLINE_PHOTOS photos, then count the rest after the response (a background refresh). After a pipeline
 * batch had noted thousands of accounts, one unbounded step made a spot-check at 10M photos take 3–5 s.
 */
export async function refreshBeforeRead(
  opts: { budgetMs?: number; inlinePhotos?: number } = {},
): Promise<SummaryFreshness> {
  const inline = opts.inlinePhotos ?? READ_INLINE_PHOTOS;
  await refreshInclusionSummary({
    budgetMs: opts.budgetMs ?? READ_BUDGET_MS,
    batchPhotos: inline,
    maxAccountPhotos: inline,
  });
  const freshness = await summaryFreshness();
  if (freshness.pendingAccounts > 0) void refreshInclusionSummary().catch(() => {});
  return freshness;
}

export type SummaryFreshness = {
  /** When the summary last held every change (null: never built). */
  refreshedAt: string | null;
  /** Accounts whose changes are not counted yet. */
  pendingAccounts: number;
};

export async function summaryFreshness(): Promise<SummaryFreshness> {
  const [r] = await db().$queryRaw<{ refreshed_at: Date | null; pending: number }[]>`
    SELECT (SELECT refreshed_at FROM quarry_internal.inclusion_summary_state) AS refreshed_at,
      (SELECT count(DISTINCT account_nsid)::int FROM quarry_internal.inclusion_dirty) AS pending`;
  return { refreshedAt: r.refreshed_at?.toISOString() ?? null, pendingAccounts: r.pending };
}

/** Photos per reason (NULL: included; '__all__': every photo) from the summary, the rule applied per group. */
export async function summaryReasonCounts(
  licenses: readonly number[],
  opts: InclusionOptions = {},
): Promise<{ reason: string | null; count: number }[]> {
  const rows = await db().$queryRaw<{ reason: string | null; n: bigint | null }[]>(Prisma.sql`
    WITH g AS (
      SELECT ${reasonsSql(licenses, opts)} AS reasons, f.photos
      FROM quarry_internal.inclusion_rollup f CROSS JOIN LATERAL (SELECT f.review_status, f.watermark_verdict) a)
    SELECT NULL AS reason, sum(photos) FILTER (WHERE cardinality(reasons) = 0) AS n FROM g
    UNION ALL SELECT '__all__', sum(photos) FROM g
    UNION ALL SELECT reason, sum(photos) FROM g, unnest(g.reasons) AS reason GROUP BY reason`);
  return rows.map((r) => ({ reason: r.reason, count: Number(r.n ?? 0) }));
}
