// Runs a run to its end in this process: an in-process worker takes its batches, and the caller gets the ended run.
// For tools and tests that need a stage's work done now (the quality command, the benches) — the same driver the
// Runs page and the CLI use, without the progress display.
import { getRun, type RunView } from '../../lib/queries/runs.ts';
import { startWorker } from '../worker.ts';
import type { RunInput } from './config.ts';
import { createRun } from './control.ts';
import { runSettings, type RunSettings } from './settings.ts';
import { defaultRegistry } from './stages/index.ts';
import type { AdapterRegistry } from './types.ts';

export type RunToEndOptions = {
  registry?: AdapterRegistry;
  /** Framework timings (tests shorten the heartbeat and polling). */
  settings?: Partial<RunSettings>;
  concurrency?: number;
  timeoutMs?: number;
  onProgress?: (r: RunView) => void;
};

const ended = (r: RunView) => r.status === 'completed' || r.status === 'failed' || r.status === 'cancelled';

export async function runToEnd(input: RunInput, o: RunToEndOptions = {}): Promise<RunView> {
  const registry = o.registry ?? defaultRegistry();
  const settings = runSettings(process.env, { pollSeconds: 0.5, ...o.settings });
  const worker = await startWorker({ concurrency: o.concurrency ?? 2, registry, settings, log: () => {} });
  try {
    const { id } = await createRun(input, null, { registry, settings, local: true });
    const until = Date.now() + (o.timeoutMs ?? 30 * 60_000);
    for (;;) {
      const r = await getRun(id);
      if (!r) throw new Error(`Run ${id} not found`);
      o.onProgress?.(r);
      if (ended(r)) return r;
      if (Date.now() > until) throw new Error(`Run ${id} did not end within ${o.timeoutMs} ms (${r.status})`);
      await new Promise((res) => setTimeout(res, 200));
    }
  } finally {
    await worker.stop();
  }
}
