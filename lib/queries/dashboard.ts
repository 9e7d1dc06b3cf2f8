// The dashboard's figures: included/excluded by the one inclusion rule, per-check score histograms, ingest over time.
import { db } from '../db.ts';
import { photoReasonsSql } from '../inclusion.ts';
import { Prisma } from '../generated/prisma/client.ts';
import { refreshBeforeRead, summaryReasonCounts, type SummaryFreshness } from './inclusionSummary.ts';

export type DatasetCounts = {
  photos: number;
  accounts: number;
  included: number;
  excluded: number;
  reasons: { reason: string; count: number }[];
  /** How current the figures are: they come from the maintained summary (lib/queries/inclusionSummary.ts). */
  freshness: SummaryFreshness;
};

/**
 * Included/excluded counts by the inclusion rule, read from the maintained summary after refreshing the accounts that
 * changed (refreshBeforeRead: a bounded part inline, the rest in the background; the page shows the freshness). Never
 * built yet and being built by someone else: the rule evaluated in full.
 */
export async function getDatasetCounts(licenses: readonly number[]): Promise<DatasetCounts> {
  const freshness = await refreshBeforeRead();
  const rows = freshness.refreshedAt ? await summaryReasonCounts(licenses) : await fullReasonCounts(licenses);
  const [totals] = await db().$queryRaw<{ accounts: bigint }[]>`SELECT count(*) AS accounts FROM accounts`;
  const count = (reason: string | null) => rows.find((r) => r.reason === reason)?.count ?? 0;
  const photos = count('__all__');
  const included = count(null);
  return {
    photos,
    accounts: Number(totals.accounts),
    included,
    excluded: photos - included,
    reasons: rows
      .filter((r): r is { reason: string; count: number } => r.reason !== null && r.reason !== '__all__')
      .sort((a, b) => b.count - a.count),
    freshness,
  };
}

/** The same figures by evaluating the rule over every photo (what the summary must always agree with). */
export async function fullReasonCounts(
  licenses: readonly number[],
): Promise<{ reason: string | null; count: number }[]> {
  const rows = await db().$queryRaw<{ reason: string | null; n: bigint }[]>(Prisma.sql`
    WITH r AS (${photoReasonsSql(licenses)})
    SELECT NULL AS reason, count(*) FILTER (WHERE cardinality(reasons) = 0) AS n FROM r
    UNION ALL SELECT '__all__', count(*) FROM r
    UNION ALL SELECT reason, count(*) FROM r, unnest(r.reasons) AS reason GROUP BY reason`);
  return rows.map((r) => ({ reason: r.reason, count: Number(r.n) }));
}

/** Rows a chart reads at most: above that, PostgreSQL samples the table (TABLESAMPLE) and counts are scaled up. */
const SAMPLE_ROWS = 200_000;

async function samplePercent(table: 'check_results' | 'photos'): Promise<number> {
  const [r] = await db().$queryRaw<
    { n: number }[]
  >`SELECT GREATEST(reltuples, 0)::float8 AS n FROM pg_class WHERE oid = ${table}::regclass`;
  return r && r.n > SAMPLE_ROWS ? Math.max(0.01, (100 * SAMPLE_ROWS) / r.n) : 100;
}

const from = (table: string, percent: number) =>
  Prisma.raw(percent < 100 ? `${table} TABLESAMPLE SYSTEM (${percent.toFixed(4)})` : table);

export type Histogram = {
  check: string;
  min: number;
  max: number;
  buckets: { from: number; to: number; count: number; fail: number }[];
  sampled: boolean;
};

const BUCKETS = 20;

/** Score distribution of each check, with the share of fail verdicts in each bucket. */
export async function getScoreHistograms(): Promise<Histogram[]> {
  const percent = await samplePercent('check_results');
  const rows = await db().$queryRaw<
    { check: string; lo: number; hi: number; bucket: number; n: number; fail: number }[]
  >(Prisma.sql`
    WITH r AS (SELECT "check", score, verdict FROM ${from('check_results', percent)} WHERE score IS NOT NULL),
    b AS (SELECT "check", min(score) AS lo, max(score) AS hi FROM r GROUP BY "check")
    SELECT r."check", b.lo, b.hi,
      CASE WHEN b.hi = b.lo THEN 1 ELSE LEAST(${BUCKETS}, width_bucket(r.score, b.lo, b.hi, ${BUCKETS})) END::int AS bucket,
      count(*)::int AS n, count(*) FILTER (WHERE r.verdict = 'fail')::int AS fail
    FROM r JOIN b ON b."check" = r."check"
    GROUP BY r."check", b.lo, b.hi, bucket ORDER BY r."check", bucket`);
  const scale = 100 / percent;
  const out = new Map<string, Histogram>();
  for (const r of rows) {
    let h = out.get(r.check);
    if (!h) {
      const width = (r.hi - r.lo) / BUCKETS || 1;
      h = {
        check: r.check,
        min: r.lo,
        max: r.hi,
        sampled: percent < 100,
        buckets: Array.from({ length: BUCKETS }, (_, i) => ({
          from: r.lo + i * width,
          to: r.lo + (i + 1) * width,
          count: 0,
          fail: 0,
        })),
      };
      out.set(r.check, h);
    }
    h.buckets[r.bucket - 1].count += Math.round(r.n * scale);
    h.buckets[r.bucket - 1].fail += Math.round(r.fail * scale);
  }
  return [...out.values()];
}

/** Every month (or day) from the first to the last, empty ones as 0, so the axis is time and gaps show. */
export function fillGaps(
  points: { period: string; count: number }[],
  unit: 'month' | 'day',
): { period: string; count: number }[] {
  if (points.length < 2) return points;
  const byPeriod = new Map(points.map((p) => [p.period, p.count]));
  const out: { period: string; count: number }[] = [];
  const d = new Date(`${points[0].period}${unit === 'month' ? '-01' : ''}T00:00:00Z`);
  const last = points[points.length - 1].period;
  // A cap keeps a stray far-off date from producing millions of empty days.
  for (let i = 0; i < 20_000; i++) {
    const period = d.toISOString().slice(0, unit === 'month' ? 7 : 10);
    out.push({ period, count: byPeriod.get(period) ?? 0 });
    if (period >= last) break;
    if (unit === 'month') d.setUTCMonth(d.getUTCMonth() + 1);
    else d.setUTCDate(d.getUTCDate() + 1);
  }
  return out;
}

export type TimeSeries = {
  points: { period: string; count: number }[];
  unit: 'month' | 'day';
  sampled: boolean;
};

/** Photos by upload month (what the crawl covers) and by ingest day (how the crawl progressed). */
export async function getIngestOverTime(): Promise<{ uploaded: TimeSeries; ingested: TimeSeries }> {
  const percent = await samplePercent('photos');
  const scale = 100 / percent;
  const series = async (
    column: 'date_upload' | 'ingested_at',
    unit: 'month' | 'day',
    fmt: string,
  ): Promise<TimeSeries> => {
    const rows = await db().$queryRaw<{ period: string; n: number }[]>(Prisma.sql`
      SELECT to_char(date_trunc(${unit}, ${Prisma.raw(column)} AT TIME ZONE 'UTC'), ${fmt}) AS period, count(*)::int AS n
      FROM ${from('photos', percent)} GROUP BY 1 ORDER BY 1`);
    return {
      unit,
      sampled: percent < 100,
      points: fillGaps(
        rows.map((r) => ({ period: r.period, count: Math.round(r.n * scale) })),
        unit,
      ),
    };
  };
  return {
    uploaded: await series('date_upload', 'month', 'YYYY-MM'),
    ingested: await series('ingested_at', 'day', 'YYYY-MM-DD'),
  };
}
