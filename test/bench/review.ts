// Benchmark: review API latency (queue claim, account page data, decisions) with 8 concurrent reviewers over 1M photos.
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { db, disconnectDb } from '../../lib/db.ts';
import { CHECK_NAMES } from '../../lib/checks.ts';
import { decideAccount, listAccountDecisions, undoDecision } from '../../lib/queries/decisions.ts';
import { acquireLease, claimNextAccount, getAccountReview } from '../../lib/queries/review.ts';
import { foldAccountCheckCounts } from '../../lib/queries/checkCounts.ts';
import { afterBatchesSettled, bulkOverride, undoOverrideBatch } from '../../lib/queries/overrideBatches.ts';
import { listCheckPhotos } from '../../lib/queries/overrides.ts';
import type { CheckName } from '../../lib/checks.ts';
import { startEmbeddedPostgres } from '../../lib/server/embeddedPostgres.ts';
import { migrate } from '../../lib/server/migrate.ts';
import { parseArgs } from '../../pipeline/cli/withDatabase.ts';
import { REJECT_REASONS } from '../../lib/reviewVocabulary.ts';
import { intFlag, numberFlag, portFlag } from './lib/benchFlags.ts';

/** `npm run bench -- review --help` prints these; any other flag is refused (test/bench/index.ts). */
export const usage = 'review API latency on a large database, and a bulk override';
export const flags: Record<string, string> = {
  photos: 'N photos (1000000)',
  accounts: 'N accounts (50000)',
  zipf: 'account-size skew (0.8)',
  checks: 'comma-separated check names (all)',
  reviewers: 'N reviewers (8)',
  decisions: 'N decisions per reviewer (40)',
  think: "ms between a reviewer's requests, 0 saturates (1000)",
  bulk: 'N overrides in one bulk action, 0 skips (100000)',
  port: 'PostgreSQL port (a free one)',
};

const TARGETS_MS = { claim: 50, page: 150, decision: 50 } as const;
/** Issue #20: 100k overrides in one bulk action under 5 s, the check page staying responsive meanwhile. */
const BULK_TARGET_MS = 5000;

export type Sizes = { photos: number; accounts: number; zipf: number; checks: readonly string[] };

/** Zipf-like account sizes (rank r gets ∝ r^-zipf photos), photos, one result per check, some overrides: all set-based. */
export async function build(s: Sizes, log: (m: string) => void): Promise<void> {
  const t0 = performance.now();
  await db().$executeRawUnsafe(`SET synchronous_commit = off`);
  await db().$executeRawUnsafe(`
    INSERT INTO accounts (nsid, username, photo_count, flag_score, watermark_score, updated_at)
    SELECT i || '@N0' || (i % 10), 'bench-' || i, 0, (abs(hashtext('f' || i)) % 1000) / 1000.0, (abs(hashtext('w' || i)) % 1000) / 1000.0, now()
    FROM generate_series(1, ${s.accounts}) i`);
  // Largest-remainder rounding so the counts add up to exactly s.photos, every account keeping at least one photo.
  await db().$executeRawUnsafe(`
    WITH w AS (SELECT nsid, row_number() OVER (ORDER BY nsid) AS r FROM accounts),
    x AS (SELECT nsid, r, ${s.photos - s.accounts}::float8 * power(r, -${s.zipf}) / sum(power(r, -${s.zipf})) OVER () AS share FROM w),
    y AS (SELECT nsid, floor(share)::int AS base, share - floor(share) AS frac FROM x),
    z AS (SELECT nsid, base + CASE WHEN row_number() OVER (ORDER BY frac DESC, nsid) <= ${s.photos - s.accounts} - sum(base) OVER () THEN 1 ELSE 0 END AS n FROM y)
    UPDATE accounts a SET photo_count = z.n + 1 FROM z WHERE z.nsid = a.nsid`);
  await db().$executeRawUnsafe(`
    UPDATE accounts a SET rank = r.rank FROM (SELECT nsid, row_number() OVER (ORDER BY photo_count DESC, nsid)::int AS rank FROM accounts) r
    WHERE a.nsid = r.nsid`);
  log(`accounts: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  await db().$executeRawUnsafe(`
    INSERT INTO photos (id, owner_nsid, secret, server, license, date_upload, availability, content_hash, image_width, image_height, updated_at)
    SELECT (a.rank::bigint * 1000000 + g)::text, a.nsid, 's', '65535', 9, timestamp '2010-01-01' + g * interval '1 hour', 'available',
      md5(a.nsid || g) || md5(g || a.nsid), 1024, 768, now()
    FROM accounts a CROSS JOIN LATERAL generate_series(1, a.photo_count) g`);
  log(`photos: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // ~2% fail and ~3% uncertain per check, decided by a hash so the data is the same every run.
  await db().$executeRawUnsafe(
    `
    INSERT INTO check_results (photo_id, "check", verdict, score, details, version)
    SELECT p.id, c, CASE WHEN h < 20 THEN 'fail' WHEN h < 50 THEN 'uncertain' ELSE 'pass' END::"Verdict", h / 1000.0, '{}', 'bench'
    FROM photos p CROSS JOIN unnest($1::text[]) c CROSS JOIN LATERAL (SELECT abs(hashtext(p.id || c)) % 1000 AS h) x`,
    [...s.checks],
  );
  log(`check results: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  // The per-account counts' deltas of the inserts above folded, as a pipeline's batches leave them: otherwise the
  // first bulk action's fold would take them all on, in the background of the timed undo.
  await foldAccountCheckCounts(1);
  await db().$executeRawUnsafe(`ANALYZE`);
}

function quantile(sorted: number[], q: number): number {
  if (!sorted.length) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

class Timings {
  readonly samples = new Map<string, number[]>();
  async time<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const t = performance.now();
    try {
      return await fn();
    } finally {
      const list = this.samples.get(name) ?? [];
      list.push(performance.now() - t);
      this.samples.set(name, list);
    }
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One reviewer, as the review page drives the API: load the account (data + history), take its lease and reserve
 * the next account (a claim excluding this one), look for `thinkMs` (jittered ±50%), decide, move to the reserved
 * account; undo and redo every tenth. thinkMs 0 turns 8 reviewers into a saturation test.
 */
async function reviewer(
  userId: string,
  decisions: number,
  timings: Timings,
  leaseMinutes: number,
  thinkMs: number,
  tag = 'run',
): Promise<void> {
  const opts = { topN: 5000, leaseMinutes };
  let current = (await timings.time('claim', () => claimNextAccount(userId, 'rank', opts)))?.nsid;
  for (let i = 0; i < decisions && current; i++) {
    const nsid = current;
    await timings.time('page', () =>
      Promise.all([
        getAccountReview(nsid, userId, { sampleSize: 48, flaggedCap: 2000 }),
        listAccountDecisions(nsid, 20),
      ]),
    );
    await timings.time('lease', () => acquireLease(nsid, userId, leaseMinutes));
    const next = await timings.time('claim', () => claimNextAccount(userId, 'rank', opts, [nsid]));
    if (thinkMs) await sleep(thinkMs * (0.5 + Math.random()));
    const reject = i % 3 === 2;
    await timings.time('decision', () =>
      decideAccount({
        nsid,
        userId,
        decision: reject ? 'reject' : 'approve',
        reason: reject ? REJECT_REASONS[i % 6].key : null,
        requestId: `bench-${tag}-${userId}-${i}`,
        expectedStatus: 'pending',
      }),
    );
    if (i % 10 === 9) {
      await timings.time('decision', () =>
        undoDecision({ userId, requestId: `bench-undo-${tag}-${userId}-${i}`, leaseMinutes }),
      );
      await timings.time('decision', () =>
        decideAccount({
          nsid,
          userId,
          decision: 'approve',
          requestId: `bench-redo-${tag}-${userId}-${i}`,
          expectedStatus: 'pending',
        }),
      );
    }
    current = next?.nsid;
  }
}

/**
 * CPU seconds used so far by every process of the bench's PostgreSQL (the postmaster and its children, live or exited,
 * read from /proc): on a machine shared with other work, wall-clock figures stretch with the load, the database's CPU
 * time much less. Null where /proc is not there.
 */
async function databaseCpuSeconds(): Promise<number | null> {
  try {
    const [{ pid }] = await db().$queryRaw<{ pid: number }[]>`SELECT pg_backend_pid() AS pid`;
    const stat = (p: string) => readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
    const postmaster = stat(String(pid))[1];
    let ticks = 0;
    for (const p of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
      try {
        const f = stat(p);
        if (f[1] === postmaster) ticks += Number(f[11]) + Number(f[12]);
      } catch {
        // A process that ended meanwhile.
      }
    }
    // Children that exited (connections closed, autovacuum workers done) live on in the postmaster's cutime/cstime.
    const own = stat(postmaster);
    ticks += Number(own[11]) + Number(own[12]) + Number(own[13]) + Number(own[14]);
    return ticks / 100; // USER_HZ is 100 on Linux
  } catch {
    return null;
  }
}

const cpu = (from: number | null, to: number | null) =>
  from === null || to === null ? '' : `, database CPU ${(to - from).toFixed(1)} s with the page loads`;

/**
 * One "apply to all N matching" over `size` photos of one check (turning enough passes into doubts first so the filter
 * matches exactly that many), timed end to end, with a reviewer loading check pages throughout; then its batch undo.
 */
async function bulkFigure(userId: string, size: number, log: (m: string) => void): Promise<void> {
  const check: CheckName = 'clip_nonphoto';
  const [{ n }] = await db().$queryRaw<
    { n: number }[]
  >`SELECT count(*)::int AS n FROM check_results WHERE "check" = ${check} AND verdict IN ('fail', 'uncertain')`;
  if (n < size) {
    await db()
      .$executeRaw`UPDATE check_results SET verdict = 'uncertain' WHERE "check" = ${check} AND photo_id IN (
      SELECT photo_id FROM check_results WHERE "check" = ${check} AND verdict = 'pass' ORDER BY photo_id LIMIT ${size - n})`;
  }
  const filter = {};
  const total = (await listCheckPhotos(check, { page: 1, pageSize: 1 })).total;
  const pageTimes: number[] = [];
  let running = true;
  const pages = (async () => {
    for (let p = 1; running; p++) {
      const t = performance.now();
      await listCheckPhotos(check, { page: (p % 20) + 1, pageSize: 200 });
      pageTimes.push(performance.now() - t);
      // A reviewer paging, not a loop: back-to-back loads (parallel counts) kept both cores busy on their own.
      await sleep(250);
    }
  })();
  let batch: Awaited<ReturnType<typeof bulkOverride>>;
  let undo: Awaited<ReturnType<typeof undoOverrideBatch>>;
  let bulkMs: number;
  let undoMs: number;
  let upkeepMs: number;
  let cpu0: number | null = null;
  let cpuBulk: number | null = null;
  let cpu1: number | null = null;
  let cpu2: number | null = null;
  try {
    cpu0 = await databaseCpuSeconds();
    const t0 = performance.now();
    batch = await bulkOverride({
      userId,
      check,
      filter,
      newVerdict: 'pass',
      reason: 'bench',
      expectedCount: total,
      requestId: `bench-bulk-${Date.now()}`,
    });
    bulkMs = performance.now() - t0;
    cpuBulk = await databaseCpuSeconds();
    // The bulk's flag-score refresh and count folding run after its answer, in the background. The undo is timed once
    // they have finished, alone, as a reviewer undoing a moment later meets it: beside them, their time and database
    // CPU were counted as the undo's.
    const tu = performance.now();
    await afterBatchesSettled();
    upkeepMs = performance.now() - tu;
    cpu1 = await databaseCpuSeconds();
    const t1 = performance.now();
    undo = await undoOverrideBatch({ userId, batchId: batch.id, requestId: `bench-bulk-undo-${Date.now()}` });
    undoMs = performance.now() - t1;
    cpu2 = await databaseCpuSeconds();
    await afterBatchesSettled();
  } finally {
    // Stop the page loads before the database stops, whatever happened, so an error is reported as itself.
    running = false;
    await pages.catch(() => {});
  }
  const sorted = [...pageTimes].sort((a, b) => a - b);
  log(`bulk: ${batch.count} overrides written`);
  console.log(
    `bulk override: ${batch.count.toLocaleString('en-US')} overrides in one action ${(bulkMs / 1000).toFixed(2)} s (target < ${BULK_TARGET_MS / 1000} s, ` +
      `${(bulkMs / BULK_TARGET_MS).toFixed(2)} of it${cpu(cpu0, cpuBulk)}); undo as a batch (${undo.count.toLocaleString('en-US')}) ${(undoMs / 1000).toFixed(2)} s ` +
      `(same target, ${(undoMs / BULK_TARGET_MS).toFixed(2)} of it${cpu(cpu1, cpu2)}; timed after the bulk's background upkeep: ${(upkeepMs / 1000).toFixed(2)} s${cpu(cpuBulk, cpu1)}); ` +
      `check page meanwhile: ${sorted.length} loads, p50 ${quantile(sorted, 0.5).toFixed(0)} ms, p95 ${quantile(sorted, 0.95).toFixed(0)} ms, max ${sorted[sorted.length - 1]?.toFixed(0)} ms; ` +
      `load average ${os.loadavg()[0].toFixed(1)} on ${os.cpus().length} CPUs`,
  );
}

export async function run(args: string[]): Promise<void> {
  const { flags } = parseArgs(args);
  const sizes: Sizes = {
    photos: intFlag(flags, 'photos', 1_000_000, { min: 1 }),
    accounts: intFlag(flags, 'accounts', 50_000, { min: 1 }),
    zipf: numberFlag(flags, 'zipf', 0.8, { min: 0 }),
    checks: flags.checks ? String(flags.checks).split(',') : CHECK_NAMES,
  };
  const reviewers = intFlag(flags, 'reviewers', 8, { min: 1 });
  const perReviewer = intFlag(flags, 'decisions', 40, { min: 1 });
  // Humans judge an account in seconds (5,000 a day is ~8 s each); 1 s keeps 8 reviewers 8× faster than that.
  const thinkMs = intFlag(flags, 'think', 1000, { min: 0 });
  const bulk = intFlag(flags, 'bulk', 100_000, { min: 0 });
  const port = portFlag(flags, 'port', undefined);
  const log = (m: string) => process.stderr.write(`${m}\n`);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'quarry-bench-review-'));
  const server = await startEmbeddedPostgres({ dataDir: dir, database: 'bench', port });
  try {
    await migrate(server.url);
    process.env.DATABASE_URL = server.url;
    process.env.DATABASE_POOL_SIZE = String(Math.max(10, reviewers * 2));
    log(
      `building ${sizes.photos.toLocaleString('en-US')} photos / ${sizes.accounts.toLocaleString('en-US')} accounts / ${sizes.checks.length} checks…`,
    );
    await build(sizes, log);
    const [{ top }] = await db().$queryRaw<{ top: number }[]>`SELECT max(photo_count) AS top FROM accounts`;
    const users = await Promise.all(
      Array.from({ length: reviewers }, (_, i) =>
        db().user.create({ data: { email: `bench${i}@bench.test`, name: `Bench ${i}`, passwordHash: 'x' } }),
      ),
    );
    const timings = new Timings();
    // Warm-up pass off the books: first-touch page faults and plan caching are not what a reviewer feels all day.
    // Its own request ids: a request id answers only its first request, and the warm-up's accounts are not the run's.
    await reviewer(users[0].id, 2, new Timings(), 10, 0, 'warmup');
    for (let i = 0; i < 50; i++) await timings.time('baseline SELECT 1', () => db().$queryRaw`SELECT 1`);
    const started = performance.now();
    await Promise.all(users.map((u) => reviewer(u.id, perReviewer, timings, 10, thinkMs)));
    const seconds = (performance.now() - started) / 1000;
    const n = timings.samples.get('decision')?.length ?? 0;
    console.log(
      `review bench: ${sizes.photos.toLocaleString('en-US')} photos, ${sizes.accounts.toLocaleString('en-US')} accounts (largest ${top.toLocaleString('en-US')} photos), ` +
        `${reviewers} concurrent reviewers (think ${thinkMs} ms), ${n} decision calls in ${seconds.toFixed(1)} s`,
    );
    console.log(
      `${'operation'.padEnd(20)} ${'n'.padStart(5)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)} ${'max ms'.padStart(8)}  target p95  p95/target`,
    );
    for (const [name, list] of timings.samples) {
      const sorted = [...list].sort((a, b) => a - b);
      const target = (TARGETS_MS as Record<string, number>)[name];
      const p95 = quantile(sorted, 0.95);
      console.log(
        `${name.padEnd(20)} ${String(sorted.length).padStart(5)} ${quantile(sorted, 0.5).toFixed(1).padStart(8)} ${p95.toFixed(1).padStart(8)} ${sorted[sorted.length - 1].toFixed(1).padStart(8)}  ` +
          `${target ? `${String(target).padStart(6)} ms  ${(p95 / target).toFixed(2).padStart(9)}` : '      —'}`,
      );
    }
    // The warm-up reviews the two largest accounts off the books; time those pages alone, one at a time, for the record.
    const largest = await db().account.findMany({
      orderBy: { rank: 'asc' },
      take: 3,
      select: { nsid: true, photoCount: true },
    });
    const alone: string[] = [];
    for (const a of largest) {
      const t = performance.now();
      await getAccountReview(a.nsid, users[0].id, { sampleSize: 48, flaggedCap: 2000 });
      alone.push(`${a.photoCount.toLocaleString('en-US')} photos ${(performance.now() - t).toFixed(1)} ms`);
    }
    console.log(`page of the largest accounts, alone after the run: ${alone.join(', ')}`);
    if (bulk > 0) await bulkFigure(users[0].id, bulk, log);
  } finally {
    await disconnectDb();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
