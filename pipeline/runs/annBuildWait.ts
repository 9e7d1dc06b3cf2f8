// What a queued ANN index build is waiting for, in words the Runs page, the CLI and the account page show: a build
// queued while no worker runs would otherwise wait forever in silence.
import { getPendingJob } from '../../lib/queries/bossJobs.ts';
import { countWorkerConnections } from '../../lib/queries/runs.ts';
import { WORKER_APP_NAME } from './boss.ts';
import { formatDuration } from './describe.ts';
import { ANN_BUILD_QUEUE } from './queues.ts';

export type AnnBuildWait = {
  state: 'queued' | 'running' | 'retrying';
  /** When the build was asked for, and when a worker took it (null while queued). */
  createdOn: string;
  startedOn: string | null;
  /** Worker connections to the database (pg-boss names them; a worker process holds several); 0: no worker runs. */
  workers: number;
  /** Embeddings the running build has read (a first build) or checked (an update), when it has said. */
  progress?: { done: number; total: number };
};

/** The build waiting or running for any DATA_DIR, if one is; null when none is. */
export async function currentAnnBuild(): Promise<AnnBuildWait | null> {
  const job = await getPendingJob(ANN_BUILD_QUEUE);
  if (!job) return null;
  return { ...job, workers: await countWorkerConnections(WORKER_APP_NAME) };
}

export function describeBuildWait(w: AnnBuildWait, now = Date.now()): string {
  const ago = (iso: string) => formatDuration((now - new Date(iso).getTime()) / 1000);
  if (w.state === 'running' && w.startedOn) {
    const p = w.progress;
    const counts =
      p && p.total > 0
        ? `: ${p.done.toLocaleString('en-US')}/${p.total.toLocaleString('en-US')} embeddings (${((100 * p.done) / p.total).toFixed(1)}%)`
        : '';
    return `index build running for ${ago(w.startedOn)}${counts}`;
  }
  const what = `index build ${w.state === 'retrying' ? 'waiting to be retried' : 'queued'} ${ago(w.createdOn)} ago`;
  if (w.workers === 0)
    return `${what}, no worker is taking jobs: start one (npm run worker, or the app with its worker)`;
  // Connections, not processes (each worker holds a pool of them): a count would mislead.
  return `${what}, workers are connected: the next free one takes it (one build at a time)`;
}
