// The ANN index build as a pg-boss job: with several workers, one builds the index of a DATA_DIR at a time and every
// other process reads the file it saved (pipeline/clip/annSaved.ts).
import path from 'node:path';
import type { Job, PgBoss } from 'pg-boss';
import { readAnnMeta, readAnnProgress, syncAnnIndex } from '../clip/annIndex.ts';
import type { AnnBuilder } from '../clip/nearDuplicates.ts';
import { currentAnnBuild, type AnnBuildWait } from './annBuildWait.ts';
import { ensureQueues, getBoss } from './boss.ts';
import { ANN_BUILD_QUEUE, BUILD_EXPIRE_SECONDS } from './queues.ts';
import { runSettings, type RunSettings } from './settings.ts';

export type AnnBuildData = { modelKey: string; dataDir: string };
export type AnnBuildOutput = { size: number; added: number; rebuilt: boolean };

/** `stopping`: the worker is shutting down; the build stops at its next page and pg-boss retries it (an update resumes from the saved index; a first build starts over). */
export async function runAnnBuildJob(
  job: Job<AnnBuildData>,
  stopping?: AbortSignal,
): Promise<AnnBuildOutput> {
  const { modelKey, dataDir } = job.data;
  const signal = stopping ? AbortSignal.any([job.signal, stopping]) : job.signal;
  // Readers open the saved file; the builder's copy in memory is dropped on return.
  const r = await syncAnnIndex(modelKey, dataDir, { signal });
  return { size: r.index.size(), added: r.added, rebuilt: r.rebuilt };
}

/** Takes index builds from the queue, one at a time in this process (the queue's policy makes it one in all). */
export async function workAnnBuilds(
  boss: PgBoss,
  opts: {
    pollSeconds: number;
    stopping?: AbortSignal;
    onBuilt?: (job: Job<AnnBuildData>, out: AnnBuildOutput) => void;
  },
): Promise<string> {
  return boss.work<AnnBuildData, AnnBuildOutput>(
    ANN_BUILD_QUEUE,
    { batchSize: 1, pollingIntervalSeconds: opts.pollSeconds },
    async ([job]) => {
      const out = await runAnnBuildJob(job, opts.stopping);
      opts.onBuilt?.(job, out);
      return out;
    },
  );
}

type Waited = { state: string; output: unknown };

/** How often a waiting caller hears what the build is doing (it writes it where users look). */
const WAIT_REPORT_MS = 15_000;

async function waitForJob(
  boss: PgBoss,
  id: string,
  pollMs: number,
  signal?: AbortSignal,
  onWait?: (w: AnnBuildWait) => Promise<void>,
  reportMs = WAIT_REPORT_MS,
  dataDir?: string,
): Promise<Waited> {
  let reported = 0;
  for (;;) {
    signal?.throwIfAborted();
    const [job] = await boss.findJobs(ANN_BUILD_QUEUE, { id });
    if (!job) throw new Error(`ANN index build job ${id} vanished`);
    if (job.state === 'completed' || job.state === 'failed' || job.state === 'cancelled')
      return { state: job.state, output: job.output };
    if (onWait && Date.now() - reported >= reportMs) {
      reported = Date.now();
      const w = await currentAnnBuild();
      // The builder's own count (it writes it under the DATA_DIR the index is saved to, which readers share).
      const p = dataDir && w?.state === 'running' ? readAnnProgress(dataDir) : null;
      if (w) await onWait(p ? { ...w, progress: { done: p.done, total: p.total } } : w).catch(() => {});
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
}

const reasonOf = (output: unknown) =>
  output && typeof output === 'object' && 'message' in output
    ? String(output.message)
    : JSON.stringify(output);

/**
 * Asks for the index of `req.modelKey` under `req.dataDir` to be brought up to date and waits until a build that began
 * after this call has saved it: its own job, or the one already waiting (which joins this request). Whichever worker
 * takes the job builds; the caller then reads the saved file. Throws when the build failed for good.
 */
export async function requestAnnBuild(
  boss: PgBoss,
  req: AnnBuildData,
  opts: {
    settings: Pick<RunSettings, 'heartbeatSeconds' | 'maxAttempts'>;
    signal?: AbortSignal;
    pollMs?: number;
    /** Told every 15 s while the build waits or runs: whether it was taken, and whether any worker runs at all. */
    onWait?: (w: AnnBuildWait) => Promise<void>;
    waitReportMs?: number;
  },
): Promise<void> {
  const key = path.resolve(req.dataDir);
  const data = { ...req, dataDir: key };
  for (let tries = 0, spins = 0; tries < 5; ) {
    opts.signal?.throwIfAborted();
    const sent = await boss.send(ANN_BUILD_QUEUE, data, {
      singletonKey: key,
      retryLimit: Math.max(0, opts.settings.maxAttempts - 1),
      retryBackoff: true,
      heartbeatSeconds: opts.settings.heartbeatSeconds,
      expireInSeconds: BUILD_EXPIRE_SECONDS,
    });
    // Refused: a build for this DATA_DIR is already waiting. None found: it started a moment ago, so a slot is free.
    const id = sent ?? (await boss.findJobs(ANN_BUILD_QUEUE, { key, queued: true }))[0]?.id;
    if (!id) {
      if (++spins > 100) throw new Error('ANN index build: the queue refuses a job and holds none waiting');
      await new Promise((r) => setTimeout(r, 50));
      continue;
    }
    tries++;
    const done = await waitForJob(
      boss,
      id,
      opts.pollMs ?? 500,
      opts.signal,
      opts.onWait,
      opts.waitReportMs,
      key,
    );
    if (done.state !== 'completed')
      throw new Error(`ANN index build ${done.state}: ${reasonOf(done.output)}`);
    const meta = readAnnMeta(key);
    // The waiting build this request joined may have been another model's (two runs on one DATA_DIR): ask again.
    if (meta?.modelKey === req.modelKey) return;
  }
  throw new Error(`ANN index of ${req.modelKey} not saved after 5 builds (another model keeps replacing it)`);
}

/** The duplicate step's builder in a run: through the queue on the process's pg-boss, so workers never build side by side. */
export const annBuilder =
  (settings = runSettings(), onWait?: (w: AnnBuildWait) => Promise<void>): AnnBuilder =>
  async (req, signal) => {
    const boss = await getBoss();
    await ensureQueues([]);
    await requestAnnBuild(boss, req, { settings, signal, onWait });
  };
