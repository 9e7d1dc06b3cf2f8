// A finishing step that waits longer than RUN_EXPIRE_SECONDS (the clip stage's, for a 10M index build) is not expired
// and retried by pg-boss, and says what it waits for where users look; a build queued while no worker runs says so.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { PgBoss } from 'pg-boss';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getRun } from '../../../lib/queries/runs.ts';
import { requestAnnBuild } from '../../../pipeline/runs/annBuild.ts';
import {
  currentAnnBuild,
  describeBuildWait,
  type AnnBuildWait,
} from '../../../pipeline/runs/annBuildWait.ts';
import { createRun } from '../../../pipeline/runs/control.ts';
import { describeRun } from '../../../pipeline/runs/describe.ts';
import { ANN_BUILD_QUEUE, ANN_BUILD_QUEUE_OPTIONS } from '../../../pipeline/runs/queues.ts';
import { runSettings } from '../../../pipeline/runs/settings.ts';
import { registryOf, type StageAdapter } from '../../../pipeline/runs/types.ts';
import { startWorker, type Worker } from '../../../pipeline/worker.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { closeSynthPool, SYNTH_TABLES, syntheticStage } from './syntheticStage.ts';

const database = useTestDatabase();
// RUN_EXPIRE_SECONDS at its smallest (pg-boss's supervisor fails a job past it within a tick).
const settings = runSettings(
  {},
  { heartbeatSeconds: 10, retryDelaySeconds: 1, pollSeconds: 0.5, maxAttempts: 3, expireSeconds: 10 },
);
let client: pg.Client;
let worker: Worker | null = null;
const notes: string[] = [];

/** A stage whose finishing step waits 14 s (past the 10 s expiry), noting where it is, as the clip stage's does. */
function slowFinish(name: string, afterExpireSeconds?: number): StageAdapter {
  return {
    ...syntheticStage(name),
    afterExpireSeconds,
    async after(run, ctx) {
      await client.query(`INSERT INTO synth_attempts (stage, key, pid) VALUES ($1, '__after__', $2)`, [
        name,
        process.pid,
      ]);
      for (let s = 0; s < 14; s++) {
        await ctx.note(`index build running for ${s}s`);
        const r = await getRun(run.id);
        const line = r?.stages[0].lastError;
        if (line) notes.push(line);
        await new Promise((res, rej) => {
          const t = setTimeout(res, 1000);
          ctx.signal.addEventListener('abort', () => (clearTimeout(t), rej(ctx.signal.reason)), {
            once: true,
          });
        });
      }
      // As finishNotes' finish does: the outcome replaces the last progress line.
      await ctx.note('near-duplicates: 10/10 new photos searched');
      return { ok: 1, failed: 0 };
    },
  };
}

beforeAll(async () => {
  client = new pg.Client({ connectionString: database.url() });
  await client.connect();
  await client.query(SYNTH_TABLES);
});
afterEach(async () => {
  await worker?.stop();
  worker = null;
});
afterAll(async () => {
  await client.end();
  await closeSynthPool();
});

const afterAttempts = async (stage: string) =>
  (
    await client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM synth_attempts WHERE stage = $1 AND key = '__after__'`,
      [stage],
    )
  ).rows[0].n;

async function runToEnd(registry: ReturnType<typeof registryOf>, stage: string) {
  worker = await startWorker({ concurrency: 1, registry, settings, log: () => {} });
  const { id } = await createRun({ stages: [stage], limit: 2, batchSize: 2 }, null, {
    registry,
    settings,
    defaults: { licenses: [9] },
  });
  for (const until = Date.now() + 60_000; Date.now() < until; ) {
    const r = await getRun(id);
    if (r && ['completed', 'failed', 'cancelled'].includes(r.status)) return r;
    await new Promise((res) => setTimeout(res, 250));
  }
  throw new Error('run did not end');
}

describe('a long finishing step', () => {
  it('keeps its one attempt past RUN_EXPIRE_SECONDS when its stage declares a longer expiry, and notes its progress', async () => {
    const registry = registryOf([slowFinish('slow-long', 120)]);
    const run = await runToEnd(registry, 'slow-long');
    expect(run.status).toBe('completed');
    expect(await afterAttempts('slow-long')).toBe(1);
    // Its notes reached the stage while it waited (the Runs page's and the CLI's line), and the result's note last.
    expect(notes).toContain('index build running for 12s');
    expect(describeRun(run).join('\n')).toContain('last: near-duplicates: 10/10 new photos searched');
    const { rows } = await client.query<{ expire: number }>(
      `SELECT expire_seconds AS expire FROM pgboss.job WHERE name = 'quarry-slow-long' ORDER BY created_on DESC LIMIT 1`,
    );
    expect(rows[0].expire).toBe(120);
  }, 90_000);

  it('is expired and retried by pg-boss at RUN_EXPIRE_SECONDS without one (what the clip stage’s was before)', async () => {
    const registry = registryOf([slowFinish('slow-short')]);
    const run = await runToEnd(registry, 'slow-short');
    expect(await afterAttempts('slow-short')).toBeGreaterThan(1);
    // The last word is the step's own note or its expiry, as whichever landed last wrote it: pg-boss's "job timed
    // out" when its expiry fails the job before the aborted step records anything (CI saw both).
    expect(run.stages[0].lastError ?? '').toMatch(/index build running|searched|exceeded|job timed out/);
  }, 90_000);
});

describe('an index build nobody takes', () => {
  it('says it is queued and that no worker is taking jobs, with how long it has waited', async () => {
    const boss = new PgBoss({ connectionString: database.url(), schedule: false, supervise: false, max: 2 });
    boss.on('error', () => {});
    await boss.start();
    await boss.createQueue(ANN_BUILD_QUEUE, ANN_BUILD_QUEUE_OPTIONS);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'quarry-nobody-'));
    const stop = new AbortController();
    const seen: AnnBuildWait[] = [];
    try {
      await expect(
        requestAnnBuild(
          boss,
          { modelKey: 'real-clip@none', dataDir: dir },
          {
            settings,
            signal: stop.signal,
            pollMs: 50,
            waitReportMs: 300,
            onWait: async (w) => {
              seen.push(w);
              if (seen.length === 3) stop.abort(new Error('gave up waiting'));
            },
          },
        ),
      ).rejects.toThrow('gave up waiting');
      expect(seen[2]).toMatchObject({ state: 'queued', startedOn: null, workers: 0 });
      const line = describeBuildWait(seen[2], new Date(seen[2].createdOn).getTime() + 12 * 60_000);
      expect(line).toBe(
        'index build queued 12m00s ago, no worker is taking jobs: start one (npm run worker, or the app with its worker)',
      );
      // What the account page asks while the build still waits.
      expect(await currentAnnBuild()).toMatchObject({ state: 'queued', workers: 0 });
    } finally {
      await boss.stop({ graceful: false });
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
