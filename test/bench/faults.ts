// Benchmark: a bounded fault campaign on 127.0.0.1 — a crawl under injected faults, hostile inputs, racing reviewers.
// `npm run bench -- faults [--photos 3000] [--reviewers 8] [--accounts 40] [--logins 60] [--disk-photos 300]`
import { renameSync, writeFileSync } from 'node:fs';
import { mkdtemp, rename, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { z } from 'zod';
import { nsidParams, orderSchema, requestIdSchema } from '../../app/api/accounts/params.ts';
import { QUEUE_ORDERS } from '../../lib/reviewVocabulary.ts';
import { db, disconnectDb } from '../../lib/db.ts';
import { BadRequestError, ConflictError, NotFoundError } from '../../lib/errors.ts';
import { decideAccount, listAccountDecisions, undoDecision } from '../../lib/queries/decisions.ts';
import { acquireLease, getAccountReview } from '../../lib/queries/review.ts';
import { startEmbeddedPostgres } from '../../lib/server/embeddedPostgres.ts';
import { migrate } from '../../lib/server/migrate.ts';
import { settings } from '../../lib/settings.ts';
import { runFetchBatch } from '../../pipeline/fetch/stage.ts';
import { runToEnd } from '../../pipeline/runs/runToEnd.ts';
import { analyzeSettings } from '../helpers/analyzeSettings.ts';
import { createFlickrClient } from '../../pipeline/flickr/client.ts';
import { createRateLimiter } from '../../pipeline/flickr/rateLimiter.ts';
import { crawlAll } from '../helpers/crawlAll.ts';
import { startFlickrSimulator } from '../../pipeline/devkit/simulator/server.ts';
import { generateUniverse } from '../../pipeline/devkit/universe/generate.ts';
import pg from 'pg';
import { makeRaceData, raceDecisions } from '../hardening/decisionRace.ts';
import { checkLogin } from '../../lib/auth/login.ts';
import { hashPassword, verifyPassword } from '../../lib/auth/password.ts';
import { env } from '../../lib/env.ts';
import { createUser } from '../../lib/queries/users.ts';
import { parseArgs } from '../../pipeline/cli/withDatabase.ts';
import { intFlag } from './lib/benchFlags.ts';

/** `npm run bench -- faults --help` prints these; any other flag is refused (test/bench/index.ts). */
export const usage = 'faults injected into crawl, input, decisions, logins and the disk: nothing may be lost';
export const flags: Record<string, string> = {
  photos: 'N photos (6000)',
  reviewers: 'N reviewers (8)',
  accounts: 'N accounts (40)',
  logins: 'N login attempts (60)',
  'disk-photos': 'N photos for the disk fault (300)',
};

const HOSTILE = [
  '',
  ' ',
  '../../../../etc/passwd',
  '..%2F..%2Fetc%2Fpasswd',
  "' OR 1=1 --",
  '"; DROP TABLE photos; --',
  '%00',
  '\u0000',
  '𝕏🙂ünïcödé',
  'A'.repeat(5000),
  '-1',
  '0',
  '1e309',
  '99999999999999999999999999',
  'NaN',
  'null',
  '{}',
  '[]',
  '<script>alert(1)</script>',
  '${jndi:ldap://x}',
  '\\\\server\\share',
  '%',
  '?#&=',
  'x@N01\nDELETE',
  '\ud800',
];
const HOSTILE_VALUES: unknown[] = [
  ...HOSTILE,
  null,
  undefined,
  1e308,
  -1,
  Number.MAX_SAFE_INTEGER + 2,
  [],
  {},
  { $gt: '' },
  true,
];

function arg(args: string[], name: string, fallback: number): number {
  return intFlag(parseArgs(args).flags, name, fallback, { min: 1 });
}

async function count(table: string): Promise<number> {
  const [r] = await db().$queryRawUnsafe<{ n: bigint }[]>(`SELECT count(*) AS n FROM ${table}`);
  return Number(r.n);
}

async function crawl(
  photos: number,
): Promise<{ requests: number; faults: number; expected: number; stored: number; baselineRequests: number }> {
  const start = new Date('2020-01-01T00:00:00Z');
  const end = new Date('2020-07-01T00:00:00Z');
  const universe = generateUniverse({
    seed: 'bench-faults',
    photos,
    accounts: Math.max(10, Math.round(photos / 40)),
    burstShare: 0.4,
    start,
    end,
  });
  const sim = await startFlickrSimulator({ universe, resultCap: 400 });
  const config = {
    licenses: [7, 8, 9, 10],
    from: start.getTime() / 1000,
    to: end.getTime() / 1000 - 1,
    cap: 300,
    perPage: 100,
    minWindowSeconds: 60,
  };
  const client = () =>
    createFlickrClient({
      apiKey: 'k',
      apiBase: sim.apiBase,
      rateLimiter: createRateLimiter({ perHour: 1e9 }),
      timeoutMs: 200,
      retry: { retries: 12, baseMs: 2, maxMs: 50 },
    });
  try {
    // Baseline: the same crawl without faults, to show what the faults cost in requests.
    const base = client();
    await crawlAll(config, { client: base });
    await db().$executeRawUnsafe('TRUNCATE photos, accounts, crawl_windows CASCADE');
    sim.setFaults({
      errorRate: 0.12,
      rate429: 0.06,
      truncateRate: 0.1,
      delayMs: 500,
      slowRate: 0.05,
      seed: 'bench',
    });
    const c = client();
    const summary = await crawlAll(config, { client: c });
    if (!summary.complete) throw new Error(`crawl incomplete: ${summary.errors.join('; ')}`);
    return {
      requests: c.counters.requests,
      faults: sim.stats().faults,
      expected: universe.groundTruth.eligible.length,
      stored: await count('photos'),
      baselineRequests: base.counters.requests,
    };
  } finally {
    await sim.close();
  }
}

/** Hostile values through the routes' shared schemas and the query functions they call: each must be refused cleanly. */
async function hostile(
  userId: string,
): Promise<{ tried: number; clean: number; unclean: string[]; changed: boolean }> {
  const before = {
    decisions: await count('account_decisions'),
    accounts: await db().account.findMany({ orderBy: { nsid: 'asc' } }),
  };
  let tried = 0;
  let clean = 0;
  const unclean: string[] = [];
  const expectRefusal = async (what: string, fn: () => unknown) => {
    tried++;
    try {
      const out = await fn();
      // Reads may answer "nothing there"; anything else passing through is not clean.
      if (out === null || (Array.isArray(out) && out.length === 0)) clean++;
      else unclean.push(`${what}: accepted`);
    } catch (e) {
      if (
        e instanceof z.ZodError ||
        e instanceof BadRequestError ||
        e instanceof NotFoundError ||
        e instanceof ConflictError
      )
        clean++;
      else
        unclean.push(
          `${what}: ${e instanceof Error ? `${e.constructor.name}: ${e.message.slice(0, 120)}` : String(e)}`,
        );
    }
  };
  const fake = 'bench-nobody@N00';
  for (const v of HOSTILE_VALUES) {
    const label = JSON.stringify(v)?.slice(0, 30) ?? 'undefined';
    // As the routes do: the schema first, then the query with what got through; only a clean refusal counts.
    await expectRefusal(`decide nsid=${label}`, async () =>
      decideAccount({
        nsid: nsidParams.parse({ nsid: v }).nsid,
        userId,
        decision: 'approve',
        requestId: `hostile-${tried}`,
        expectedStatus: 'pending',
      }),
    );
    await expectRefusal(`decide requestId=${label}`, async () =>
      decideAccount({
        nsid: fake,
        userId,
        decision: 'approve',
        requestId: requestIdSchema.parse(v),
        expectedStatus: 'pending',
      }),
    );
    await expectRefusal(`review nsid=${label}`, async () =>
      getAccountReview(nsidParams.parse({ nsid: v }).nsid, userId, { sampleSize: 10, flaggedCap: 10 }),
    );
    await expectRefusal(`lease nsid=${label}`, async () => {
      const l = await acquireLease(nsidParams.parse({ nsid: v }).nsid, userId, 5);
      return l.held ? l : null;
    });
    await expectRefusal(`history nsid=${label}`, async () =>
      listAccountDecisions(nsidParams.parse({ nsid: v }).nsid),
    );
    // A queue order either is refused or falls back to the default.
    await expectRefusal(`order=${label}`, async () => {
      const o = orderSchema.safeParse(v);
      return !o.success || (QUEUE_ORDERS as readonly string[]).includes(o.data) ? null : o.data;
    });
  }
  for (const s of HOSTILE) {
    // Strings that got past no schema, straight into the queries: parameters, never SQL.
    const nsid = s.replace(/\u0000/g, '');
    await expectRefusal(`raw decide ${nsid.slice(0, 30)}`, () =>
      decideAccount({
        nsid,
        userId,
        decision: 'approve',
        requestId: `hostile-raw-${tried}`,
        expectedStatus: 'pending',
      }),
    );
    await expectRefusal(`raw review ${nsid.slice(0, 30)}`, () =>
      getAccountReview(nsid, userId, { sampleSize: 10, flaggedCap: 10 }),
    );
    await expectRefusal(`raw undo ${nsid.slice(0, 30)}`, () =>
      undoDecision({
        userId,
        requestId: `hostile-undo-${tried}`,
        decisionId: /^\d+$/.test(s) && s.length < 18 ? s : '0',
        leaseMinutes: 5,
      }),
    );
  }
  const after = {
    decisions: await count('account_decisions'),
    accounts: await db().account.findMany({ orderBy: { nsid: 'asc' } }),
  };
  return {
    tried,
    clean,
    unclean,
    changed:
      before.decisions !== after.decisions ||
      JSON.stringify(before.accounts) !== JSON.stringify(after.accounts),
  };
}

/**
 * Concurrent sign-in attempts on one account from one address, as the probe sent them: a burst of wrong passwords,
 * then a second burst with the right password near its end. Every attempt past the limit must be refused unchecked.
 */
async function loginBursts(
  burst: number,
): Promise<{ attempts: number; evaluated: number; limit: number; pastLimit: number; sessions: number }> {
  const password = 'Bench-right-password-1';
  await createUser({
    email: 'bench-login@example.com',
    name: 'bench login',
    role: 'admin',
    passwordHash: await hashPassword(password),
  });
  let evaluated = 0;
  const verify = (hash: string, pw: string) => {
    evaluated++;
    return verifyPassword(hash, pw);
  };
  const attempt = (pw: string) =>
    checkLogin({ email: 'bench-login@example.com', password: pw }, '203.0.113.50', verify);
  const first = await Promise.all(Array.from({ length: burst }, () => attempt('wrong-password-x')));
  const second = await Promise.all(
    Array.from({ length: burst }, (_, i) =>
      attempt(i === Math.floor(burst * 0.93) ? password : 'wrong-password-y'),
    ),
  );
  const limit = env.LOGIN_MAX_ATTEMPTS;
  const sessions = [...first, ...second].filter((o) => o.ok).length;
  // Attempts evaluated beyond the limit, plus any session the exhausted second burst handed out.
  const pastLimit = Math.max(0, evaluated - limit) + second.filter((o) => o.ok).length;
  return { attempts: burst * 2, evaluated, limit, pastLimit, sessions };
}

type DiskFaultResult = {
  photos: number;
  served: number;
  runError: string | null;
  blamedOnPhotos: number;
  analyzed: number;
  lost: number;
};

/**
 * A local disk fault mid-analyze, in a database of its own: after the first page the thumbnail folder is replaced by a
 * plain file (every write under it fails, as with an unwritable folder), then restored and the analysis rerun. A photo is
 * lost when, after the rerun, it is neither analyzed nor missing on the server itself.
 */
async function diskFault(adminUrl: string, photos: number): Promise<DiskFaultResult> {
  const previousUrl = process.env.DATABASE_URL;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query('DROP DATABASE IF EXISTS quarry_disk_fault WITH (FORCE)');
  await admin.query('CREATE DATABASE quarry_disk_fault');
  await admin.end();
  const u = new URL(adminUrl);
  u.pathname = '/quarry_disk_fault';
  const url = u.toString();
  await migrate(url);
  process.env.DATABASE_URL = url;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'quarry-bench-disk-'));
  const start = new Date('2021-01-01T00:00:00Z');
  const end = new Date('2021-03-01T00:00:00Z');
  const universe = generateUniverse({
    seed: 'bench-disk-fault',
    photos,
    accounts: Math.max(4, Math.round(photos / 30)),
    start,
    end,
  });
  const sim = await startFlickrSimulator({ universe });
  try {
    const client = createFlickrClient({
      apiKey: 'k',
      apiBase: sim.apiBase,
      rateLimiter: createRateLimiter({ perHour: 1e9 }),
      retry: { baseMs: 1, maxMs: 5 },
    });
    const ingest = await crawlAll(
      { licenses: [7, 8, 9, 10], from: start.getTime() / 1000, to: end.getTime() / 1000 - 1 },
      { client },
    );
    if (!ingest.complete) throw new Error(`disk-fault crawl incomplete: ${ingest.errors.join('; ')}`);
    const stored = (await db().photo.findMany({ select: { id: true } })).map((p) => p.id);
    const served = stored.filter((id) => !universe.photos.find((p) => p.id === id)?.deleted).length;
    const thumbs = path.join(dataDir, 'images', 'thumbs');
    const opts = { dataDir, imageHosts: [sim.imageHost], retries: 0, timeoutMs: 10_000 };
    const saved = { ...settings };
    Object.assign(settings, { IMAGE_HOSTS: [sim.imageHost], FETCH_RETRIES: 0, FETCH_TIMEOUT_MS: 10_000 });
    process.env.DATA_DIR = dataDir;
    const fetchRun = () =>
      runToEnd(
        { stages: ['analyze'], checks: ['fetch'], batchSize: 25 },
        { concurrency: 1, settings: { maxAttempts: 1 } },
      );
    let runError: string | null;
    try {
      // The first batch is stored, then the thumbnail folder becomes unusable and a run's batches fail.
      await runFetchBatch(stored.slice().sort().slice(0, 25), analyzeSettings(opts));
      renameSync(thumbs, `${thumbs}.aside`);
      writeFileSync(thumbs, 'not a folder');
      const faulty = await fetchRun();
      runError = faulty.status === 'failed' ? faulty.stages[0].lastError : null;
      await rm(thumbs, { force: true });
      await rename(`${thumbs}.aside`, thumbs).catch(() => {});
      await fetchRun();
    } finally {
      Object.assign(settings, saved);
      delete process.env.DATA_DIR;
    }
    // Photos the faulty run recorded as broken for a reason that was our disk's, not theirs.
    const blamedOnPhotos = await db().photo.count({
      where: { availability: 'error', fetchError: { startsWith: 'corrupt: processing failed: E' } },
    });
    const analyzed = await db().photo.count({ where: { availability: 'available' } });
    return { photos: stored.length, served, runError, blamedOnPhotos, analyzed, lost: served - analyzed };
  } finally {
    await sim.close();
    await disconnectDb();
    process.env.DATABASE_URL = previousUrl;
    await rm(dataDir, { recursive: true, force: true });
  }
}

export async function run(args: string[]): Promise<void> {
  const photos = arg(args, 'photos', 6000);
  const reviewers = arg(args, 'reviewers', 8);
  const accounts = arg(args, 'accounts', 40);
  const diskPhotos = arg(args, 'disk-photos', 300);
  const logins = arg(args, 'logins', 60);
  const dir = await mkdtemp(path.join(os.tmpdir(), 'quarry-bench-faults-'));
  const server = await startEmbeddedPostgres({ dataDir: dir, database: 'quarry' });
  process.env.DATABASE_URL = server.url;
  try {
    await migrate(server.url);
    const t0 = performance.now();
    const c = await crawl(photos);
    console.log(
      `crawl: ${c.requests} requests tried, ${c.faults} faults injected, photos expected ${c.expected}, stored ${c.stored} ` +
        `(${(c.requests / c.baselineRequests).toFixed(2)}× the ${c.baselineRequests} requests of the same crawl without faults)`,
    );

    const { users, nsids } = await makeRaceData('bench', reviewers, accounts);
    const h = await hostile(users[0]);
    console.log(
      `hostile inputs: ${h.tried} tried, ${h.clean} rejected cleanly, ${h.unclean.length} not clean, database ${h.changed ? 'CHANGED' : 'unchanged'}`,
    );
    for (const u of h.unclean.slice(0, 10)) console.log(`  not clean: ${u}`);

    const r = await raceDecisions(users, nsids);
    console.log(
      `decisions: ${r.submitted} submitted (each twice at once), ${r.confirmed} confirmed, ${r.refused} refused as conflicts, ` +
        `${r.recorded} recorded, ${r.doubled} accounts decided twice, ${r.lost} lost, ${r.errors.length} unexpected errors`,
    );
    for (const e of r.errors.slice(0, 10)) console.log(`  error: ${e}`);

    const l = await loginBursts(logins);
    console.log(
      `logins: ${l.attempts} attempts on one account in two concurrent bursts (the second carrying the right password), ` +
        `${l.evaluated} passwords evaluated (limit ${l.limit}), ${l.sessions} sessions, sessions obtained past the limit ${l.pastLimit}`,
    );

    const d = await diskFault(server.url, diskPhotos);
    console.log(
      `disk fault: thumbnail folder unusable after the first page; the run ${d.runError ? `failed: ${d.runError.slice(0, 160)}` : 'did NOT fail'}; ` +
        `${d.blamedOnPhotos} photos marked corrupt for it; after the fix the rerun analyzed ${d.analyzed} of the ${d.served} photos served ` +
        `(${d.photos - d.served} deleted on Flickr) — photos lost to a disk fault ${d.lost}`,
    );

    const ok =
      c.stored === c.expected &&
      h.unclean.length === 0 &&
      !h.changed &&
      r.lost === 0 &&
      r.doubled === 0 &&
      r.errors.length === 0 &&
      l.pastLimit === 0 &&
      d.runError !== null &&
      d.blamedOnPhotos === 0 &&
      d.lost === 0;
    console.log(
      `faults: requests tried ${c.requests}, hostile inputs tried ${h.tried}, faults injected ${c.faults}, decisions lost ${r.lost}, ` +
        `sessions obtained past the limit ${l.pastLimit}, photos lost to a disk fault ${d.lost} ` +
        `— ${ok ? 'OK' : 'FAILED'} in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    if (!ok) process.exitCode = 1;
  } finally {
    await disconnectDb();
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
}
