// A stage's finishing step shows as a phase of its own while it runs (the Runs page and `quarry run` read the same
// StageProgress): the index build it waits for, then the near-duplicate search's counts, rate and ETA, never the
// batches' finished-looking "2/2 · ETA 0s"; once it ends, its outcome is the stage's last note and the phase is gone.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getRun, type RunView, type StageProgress } from '../../../lib/queries/runs.ts';
import { createRun } from '../../../pipeline/runs/control.ts';
import { describeRun } from '../../../pipeline/runs/describe.ts';
import { finishNotes } from '../../../pipeline/runs/finishNotes.ts';
import { runSettings } from '../../../pipeline/runs/settings.ts';
import { registryOf, type StageAdapter } from '../../../pipeline/runs/types.ts';
import { startWorker } from '../../../pipeline/worker.ts';
import { useTestDatabase } from '../../helpers/db.ts';
import { closeSynthPool, SYNTH_TABLES, syntheticStage } from './syntheticStage.ts';

const database = useTestDatabase();
const settings = runSettings(
  {},
  { heartbeatSeconds: 10, retryDelaySeconds: 1, pollSeconds: 0.5, maxAttempts: 2, expireSeconds: 60 },
);
let client: pg.Client;
const seen: { stage: StageProgress; line: string }[] = [];
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** The duplicate step's notes as the clip stage sends them, with a look at the run between each. */
function finishingStage(name: string): StageAdapter {
  return {
    ...syntheticStage(name),
    async after(run, ctx) {
      const look = async () => {
        const r = (await getRun(run.id)) as RunView;
        seen.push({ stage: r.stages[0], line: describeRun(r)[1] });
      };
      await look(); // before its first note
      const notes = finishNotes(ctx.note, 0);
      // The pixel checks of the hash candidates (the demo's finishing step spends its minutes here: its test model's
      // embeddings are not searched).
      notes.onDuplicates({ step: 'pairs', done: 0, total: 600 });
      await sleep(1000);
      notes.onDuplicates({ step: 'pairs', done: 300, total: 600 });
      await sleep(300);
      await look();
      const queued = new Date(Date.now() - 125_000).toISOString();
      await notes.onWait({ state: 'queued', createdOn: queued, startedOn: null, workers: 2 });
      await look();
      notes.onProgress({ searched: 0, total: 10_000, pairs: 0 });
      await sleep(1100);
      notes.onProgress({ searched: 1_200, total: 10_000, pairs: 35 });
      await sleep(300); // onProgress does not wait for its note
      await look();
      notes.onProgress({ searched: 10_000, total: 10_000, pairs: 90 });
      await sleep(300);
      await look();
      await notes.finish('90 CLIP pairs at cosine ≥ 0.95: 12 duplicates in 5 clusters');
      return { ok: 2, failed: 0 };
    },
  };
}

beforeAll(async () => {
  client = new pg.Client({ connectionString: database.url() });
  await client.connect();
  await client.query(SYNTH_TABLES);
});
afterAll(async () => {
  await client.end();
  await closeSynthPool();
});

describe('a stage’s finishing step', () => {
  it('shows its phase, counts, rate and ETA while its batches are all done, then its outcome', async () => {
    const registry = registryOf([finishingStage('finishing')]);
    const worker = await startWorker({ concurrency: 1, registry, settings, log: () => {} });
    let run: RunView | null = null;
    try {
      const { id } = await createRun({ stages: ['finishing'], limit: 2, batchSize: 2 }, null, {
        registry,
        settings,
        defaults: { licenses: [9] },
      });
      for (const until = Date.now() + 60_000; Date.now() < until; await sleep(250)) {
        run = await getRun(id);
        if (run && ['completed', 'failed', 'cancelled'].includes(run.status)) break;
      }
    } finally {
      await worker.stop();
    }
    expect(run?.status).toBe('completed');
    const [started, checking, waiting, searching, searched] = seen;

    // Batches all in, nothing noted yet: a finishing phase, no batch ETA (it read "ETA 0s").
    expect(started.stage).toMatchObject({ status: 'active', done: 2, total: 2, etaSeconds: null });
    expect(started.stage.finishing).toMatchObject({ step: null, etaSeconds: null });
    expect(started.line).toContain('finishing: started, no progress noted yet');
    expect(started.line).not.toMatch(/ETA 0s/);

    expect(checking.stage.finishing?.step).toMatchObject({ phase: 'duplicates', step: 'pairs', done: 300 });
    expect(checking.stage.finishing?.etaSeconds).toBeGreaterThan(0);
    expect(checking.line).toMatch(
      /finishing: duplicates: checking near-duplicate candidates on thumbnails: 300\/600 pairs · 50\.0% · \d+\/s · ETA \d+s/,
    );

    expect(waiting.stage.finishing?.step).toMatchObject({ phase: 'index-build' });
    expect(waiting.line).toMatch(
      /finishing: index build queued 2m0[5-9]s ago, workers are connected: the next free one takes it/,
    );
    expect(waiting.line).not.toContain('last:');

    // The search: its own counts, a rate from its own clock (1,200 in ~1.1 s), and an ETA for the rest.
    const f = searching.stage.finishing!;
    expect(f.step).toMatchObject({ phase: 'near-duplicates', searched: 1_200, total: 10_000, pairs: 35 });
    expect(f.percent).toBeCloseTo(12, 5);
    expect(f.rate).toBeGreaterThan(500);
    expect(f.rate).toBeLessThan(1_200 / 1.05);
    expect(f.etaSeconds).toBeCloseTo(8_800 / f.rate!, 5);
    expect(f.etaSeconds).toBeGreaterThan(5);
    expect(searching.stage.etaSeconds).toBeNull();
    expect(searching.line).toMatch(
      /finishing: near-duplicates: 1,200\/10,000 new photos searched · 12\.0% · \d+\/s · ETA \d+s · 35 new pairs/,
    );
    expect(searching.line).not.toMatch(/ETA 0s/);

    // Searched all: what is left is said, with no ETA of 0.
    expect(searched.stage.finishing?.etaSeconds).toBeNull();
    expect(searched.line).toContain(
      'finishing: near-duplicates: all 10,000 new photos searched, 90 new pairs; completing groups and updating duplicate clusters',
    );

    // Done: no phase, the outcome as the stage's note.
    expect(run!.stages[0]).toMatchObject({ status: 'done', finishing: null });
    expect(describeRun(run!)[1]).toContain(
      'last: 90 CLIP pairs at cosine ≥ 0.95: 12 duplicates in 5 clusters',
    );
  }, 90_000);
});
