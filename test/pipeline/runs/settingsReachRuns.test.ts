// The settings (lib/settings.ts) decide what a run started from the Runs page does: MIN_RESOLUTION, CLIP_* and
// WATERMARK_* from the environment become the run's thresholds, the stored configuration names the CLIP model and
// every check version, and those are exactly the versions the stages stamp their results with.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { db } from '../../../lib/db.ts';
import { getRun } from '../../../lib/queries/runs.ts';
import { loadSettings, settings } from '../../../lib/settings.ts';
import * as resolution from '../../../pipeline/checks/resolution.ts';
import { closeClipRuntimes } from '../../../pipeline/clip/runtime.ts';
import { TEST_MODEL_NAME, writeTestClipModel } from '../../../pipeline/devkit/clip/testModel.ts';
import { appControl } from '../../../pipeline/runs/appControl.ts';
import type { ResolvedRunConfig } from '../../../pipeline/runs/config.ts';
import { createRun } from '../../../pipeline/runs/control.ts';
import { defaultRegistry } from '../../../pipeline/runs/stages/index.ts';
import { startFlickrSimulator, type FlickrSimulator } from '../../../pipeline/devkit/simulator/server.ts';
import { generateUniverse } from '../../../pipeline/devkit/universe/generate.ts';
import { startWorker, type Worker } from '../../../pipeline/worker.ts';
import { useTestDatabase } from '../../helpers/db.ts';

useTestDatabase();
const universe = generateUniverse({
  seed: 'settings-reach-runs',
  photos: 60,
  accounts: 4,
  start: new Date('2022-01-01T00:00:00Z'),
  end: new Date('2022-04-01T00:00:00Z'),
});
let sim: FlickrSimulator;
let worker: Worker;
let tmp: string;
const saved = { ...settings };

beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'quarry-settings-runs-'));
  sim = await startFlickrSimulator({ universe, apiKey: 'settings-key' });
  await writeTestClipModel(path.join(tmp, 'model'));
  // As if the server had started with these variables (parsed and validated the same way).
  Object.assign(
    settings,
    loadSettings({
      FLICKR_API_KEY: 'settings-key',
      FLICKR_API_BASE: sim.apiBase,
      IMAGE_HOSTS: sim.imageHost,
      FLICKR_RATE_LIMIT: '1000000000',
      CLIP_MODEL_DIR: path.join(tmp, 'model'),
      DATA_DIR: tmp,
      MIN_RESOLUTION: '512',
      CLIP_NONPHOTO_FAIL: '0.9',
      CLIP_NONPHOTO_UNCERTAIN: '0.6',
      WATERMARK_FAIL: '0.6',
      WATERMARK_MIN_PHOTOS: '5',
    }),
  );
  process.env.DATA_DIR = tmp;
  worker = await startWorker({
    concurrency: 2,
    registry: defaultRegistry(),
    settings: { pollSeconds: 0.5 },
    log: () => {},
  });
}, 60_000);

afterAll(async () => {
  await worker?.stop();
  Object.assign(settings, saved);
  delete process.env.DATA_DIR;
  await closeClipRuntimes();
  await sim?.close();
  await rm(tmp, { recursive: true, force: true });
});

describe('a run started as the Runs page starts one', () => {
  it('takes its thresholds from the settings and stamps the versions its configuration names', async () => {
    const { id, config } = await createRun(
      { stages: ['ingest', 'analyze', 'clip', 'watermarks'], from: '2022-01-01', to: '2022-03-31' },
      null,
      appControl(),
    );
    expect(config.thresholds).toMatchObject({
      minResolution: 512,
      clipNonphotoFail: 0.9,
      clipNonphotoUncertain: 0.6,
      watermarkFail: 0.6,
      watermarkMinPhotos: 5,
    });
    // The stored configuration (what the Runs page shows) names the model and every check's version.
    const stored = (await db().pipelineRun.findUniqueOrThrow({ where: { id } })).config as ResolvedRunConfig;
    expect(stored.versions.resolution).toBe(resolution.versionFor(512));
    expect(stored.versions.clip_model).toMatch(new RegExp(`^${TEST_MODEL_NAME}@[0-9a-f]{16}$`));
    expect(Object.keys(stored.versions).sort()).toEqual([
      'clip_model',
      'clip_nonphoto',
      'clip_nonwholesome',
      'copyright_text',
      'duplicate',
      'exif_copyright',
      'resolution',
      'watermark',
    ]);

    let run = await getRun(id);
    for (
      const until = Date.now() + 240_000;
      run && !['completed', 'failed', 'cancelled'].includes(run.status) && Date.now() < until;
    ) {
      await new Promise((r) => setTimeout(r, 250));
      run = await getRun(id);
    }
    expect(run?.error ?? null).toBeNull();
    expect(run?.status).toBe('completed');

    // Every result carries the version the configuration named, so MIN_RESOLUTION=512 is what the check applied.
    const photoResults = await db().checkResult.findMany();
    for (const check of [
      'resolution',
      'exif_copyright',
      'copyright_text',
      'duplicate',
      'clip_nonphoto',
      'clip_nonwholesome',
    ]) {
      const versions = new Set(photoResults.filter((r) => r.check === check).map((r) => r.version));
      expect([...versions], check).toEqual([stored.versions[check]]);
    }
    const sized = photoResults.filter(
      (r) => r.check === 'resolution' && (r.details as { width?: number }).width,
    );
    expect(sized.length).toBeGreaterThan(0);
    for (const r of sized) {
      const d = r.details as { width: number; height: number; minSide: number };
      expect(d.minSide).toBe(512);
      expect(r.verdict).toBe(Math.min(d.width, d.height) < 512 ? 'fail' : 'pass');
    }
    // Photos between the built-in 256 and the setting's 512 failed only because of the setting.
    expect(
      sized.some((r) => {
        const d = r.details as { width: number; height: number };
        return r.verdict === 'fail' && Math.min(d.width, d.height) >= 256;
      }),
    ).toBe(true);
    const nonphoto = photoResults.find((r) => r.check === 'clip_nonphoto')!;
    expect((nonphoto.details as { thresholds: unknown }).thresholds).toEqual({ fail: 0.9, uncertain: 0.6 });
    const watermarks = await db().accountCheckResult.findMany({ where: { check: 'watermark' } });
    expect(watermarks.length).toBeGreaterThan(0);
    for (const w of watermarks) expect(w.version.startsWith(stored.versions.watermark)).toBe(true);
  }, 400_000);
});
