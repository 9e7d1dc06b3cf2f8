// On the first demo start, queue a pipeline run of every stage over the demo universe; the app's
// in-process worker executes it while the admin watches it on /runs.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { env } from '../../../lib/env.ts';
import { listRuns } from '../../../lib/queries/runs.ts';
import { writeTestClipModel } from '../clip/testModel.ts';
import { demoClipModelPath } from './clipModelPath.ts';
import { stopBoss } from '../../runs/boss.ts';
import { createRun } from '../../runs/control.ts';
import { closeRunsPool } from '../../runs/pool.ts';
import { defaultRegistry } from '../../runs/stages/index.ts';

export const DEMO_STAGES = ['ingest', 'analyze', 'clip', 'watermarks', 'export'] as const;

/**
 * The demo has no real CLIP weights (no model hub here): unless CLIP_MODEL_DIR is set, it uses the small
 * generated model the tests use, which tells flat illustrations and screenshots from textured photos.
 */
export async function demoClipModelDir(dataDir: string): Promise<string> {
  if (process.env.CLIP_MODEL_DIR) return process.env.CLIP_MODEL_DIR;
  const dir = demoClipModelPath(dataDir);
  if (!existsSync(path.join(dir, 'quarry-manifest.json'))) await writeTestClipModel(dir);
  return dir;
}

export async function queueDemoRunOnce(range: { from: string; to: string }): Promise<string | null> {
  try {
    if ((await listRuns({ page: 1, pageSize: 1 })).total > 0) return null;
    const run = await createRun(
      {
        stages: [...DEMO_STAGES],
        from: range.from,
        to: range.to,
        exportFormats: ['parquet', 'jsonl', 'csv'],
      },
      null,
      { registry: defaultRegistry(), defaults: { licenses: env.FLICKR_LICENSES.map(Number) } },
    );
    return run.id;
  } finally {
    await stopBoss();
    await closeRunsPool();
  }
}
