import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkModelDir } from '../../../pipeline/clip/modelCheck.ts';
import {
  describeModel,
  MANIFEST_FILE,
  ModelNotInstalledError,
  readManifest,
} from '../../../pipeline/clip/modelDir.ts';
import { TEST_MODEL_NAME, writeTestClipModel } from '../../../pipeline/devkit/clip/testModel.ts';

const run = promisify(execFile);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quarry-clip-check-'));
const good = path.join(tmp, 'good');
const bad = path.join(tmp, 'bad');

beforeAll(async () => {
  await writeTestClipModel(good);
  await writeTestClipModel(bad, { imageSize: 256 });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('models check', () => {
  it('accepts the generated model after a smoke inference and records its hash', async () => {
    const report = await checkModelDir(good);
    expect(report.problems).toEqual([]);
    expect(report.ok).toBe(true);
    expect(report.notes.join('\n')).toMatch(/smoke inference: 2 images and 2 prompts → 512-dim/);
    expect(report.manifest?.name).toBe(TEST_MODEL_NAME);
    expect(Object.keys(report.manifest!.files)).toEqual(
      expect.arrayContaining(['onnx/vision_model.onnx', 'onnx/text_model.onnx', 'vocab.json', 'merges.txt']),
    );
  });

  it('rejects a vision encoder with the wrong input shape, naming the input and both shapes', async () => {
    const report = await checkModelDir(bad);
    expect(report.ok).toBe(false);
    expect(report.problems).toEqual([
      'onnx/vision_model.onnx: input "pixel_values" has shape [batch_size, 3, 256, 256], expected [N, 3, 224, 224]',
    ]);
  });

  it('lists missing files, and the stage reports the model as not installed', async () => {
    const empty = path.join(tmp, 'empty');
    fs.mkdirSync(empty);
    const report = await checkModelDir(empty);
    expect(report.problems).toEqual([
      `${empty}: missing onnx/vision_model.onnx`,
      `${empty}: missing onnx/text_model.onnx`,
      `${empty}: missing vocab.json`,
      `${empty}: missing merges.txt`,
    ]);
    await expect(describeModel(empty)).rejects.toThrow(ModelNotInstalledError);
  });

  it('gives a changed model file a new hash even when the manifest is stale', async () => {
    const copy = path.join(tmp, 'copy');
    fs.cpSync(good, copy, { recursive: true });
    const before = await describeModel(copy);
    fs.appendFileSync(path.join(copy, 'merges.txt'), 'x y\n');
    const after = await describeModel(copy);
    expect(after.hash).not.toBe(before.hash);
    expect(readManifest(copy)?.hash).toBe(before.hash);
  });

  it('runs from the command line: exit 1 with the problem for a bad directory, a manifest for a good one', async () => {
    const cli = ['tsx', 'pipeline/cli/index.ts', 'models', 'check', '--dir'];
    const failure = await run('npx', [...cli, bad], { cwd: process.cwd() }).catch((e) => e);
    expect(failure.code).toBe(1);
    expect(failure.stderr).toMatch(/input "pixel_values" has shape \[batch_size, 3, 256, 256\]/);
    fs.rmSync(path.join(good, MANIFEST_FILE));
    const ok = await run('npx', [...cli, good, '--name', 'renamed'], { cwd: process.cwd() });
    expect(ok.stdout).toMatch(/OK: renamed \(hash [0-9a-f]{16}\)/);
    expect(readManifest(good)?.name).toBe('renamed');
  });
});
