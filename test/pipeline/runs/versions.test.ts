// What a run's stored configuration says about the versions its stages stamp their results with.
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as duplicates from '../../../pipeline/checks/duplicates.ts';
import * as resolution from '../../../pipeline/checks/resolution.ts';
import { refreshEnv } from '../../../lib/env.ts';
import { thresholdDefaults } from '../../../lib/settings.ts';
import { writeTestClipModel } from '../../../pipeline/devkit/clip/testModel.ts';
import {
  resolveRunConfig,
  runInputSchema,
  STAGE_ORDER,
  type Thresholds,
} from '../../../pipeline/runs/config.ts';
import { runVersions } from '../../../pipeline/runs/versions.ts';
import { configVersion, DEFAULT_CONFIG } from '../../../pipeline/watermarks/config.ts';

let tmp: string;
const DEFAULTS = thresholdDefaults();
const versionsOf = (stages: string[], thresholds: Thresholds) =>
  runVersions(
    resolveRunConfig(runInputSchema.parse({ stages, thresholds }), STAGE_ORDER, {
      licenses: [9],
      thresholds: DEFAULTS,
    }),
  );
const saved = process.env.CLIP_MODEL_DIR;
beforeAll(async () => {
  tmp = await mkdtemp(path.join(os.tmpdir(), 'quarry-versions-'));
});
afterAll(async () => {
  process.env.CLIP_MODEL_DIR = saved;
  if (saved === undefined) delete process.env.CLIP_MODEL_DIR;
  refreshEnv();
  await rm(tmp, { recursive: true, force: true });
});

describe('run versions', () => {
  it("follow the run's thresholds, as the stages do", async () => {
    const base = await versionsOf(['analyze', 'watermarks'], DEFAULTS);
    expect(base.resolution).toBe(resolution.versionFor(256));
    expect(base.duplicate).toBe(duplicates.versionFor(6));
    const changed = await versionsOf(['analyze', 'watermarks'], {
      ...DEFAULTS,
      minResolution: 512,
      watermarkFail: 0.7,
    });
    expect(changed.resolution).toBe(resolution.versionFor(512));
    expect(changed.resolution).not.toBe(base.resolution);
    expect(changed.watermark).toBe(configVersion({ ...DEFAULT_CONFIG, fail: 0.7, uncertain: 0.3 }));
    expect(base).not.toHaveProperty('clip_model');
  });

  it('name the CLIP model when the run classifies, or say it is missing', async () => {
    process.env.CLIP_MODEL_DIR = path.join(tmp, 'none');
    refreshEnv();
    expect((await versionsOf(['clip'], DEFAULTS)).clip_model).toBe('not installed');
    const dir = path.join(tmp, 'model');
    await writeTestClipModel(dir);
    process.env.CLIP_MODEL_DIR = dir;
    refreshEnv();
    const withModel = await versionsOf(['clip'], DEFAULTS);
    expect(withModel.clip_model).toMatch(/^.+@[0-9a-f]{16}$/);
    // The CLIP checks' own versions too: the model's hash, the prompts and the run's thresholds.
    expect(withModel.clip_nonphoto).toMatch(new RegExp(`^${withModel.clip_model.split('@')[1]}\\.`));
    expect(withModel.clip_nonwholesome).toMatch(/^[0-9a-f]{16}\./);
    const stricter = await versionsOf(['clip'], { ...DEFAULTS, clipNonphotoFail: 0.9 });
    expect(stricter.clip_nonphoto).not.toBe(withModel.clip_nonphoto);
    expect(stricter.clip_nonwholesome).toBe(withModel.clip_nonwholesome);
  });
});
