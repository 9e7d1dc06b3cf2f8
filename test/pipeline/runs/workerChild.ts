// A worker process for the crash and scale-out tests and the workers bench: synthetic stages, fast heartbeats.
import { startWorker } from '../../../pipeline/worker.ts';
import { registryOf } from '../../../pipeline/runs/types.ts';
import { syntheticStage } from './syntheticStage.ts';

const worker = await startWorker({
  concurrency: Number(process.env.SYNTH_CONCURRENCY ?? 2),
  registry: registryOf([syntheticStage('synth-a', { after: true }), syntheticStage('synth-b')]),
  settings: { heartbeatSeconds: 10, retryDelaySeconds: 1, pollSeconds: 0.5 },
  log: (m) => console.error(`[child ${process.pid}] ${m}`),
});
console.log('ready');
process.once('SIGTERM', () => {
  void worker.stop().then(() => process.exit(0));
});
