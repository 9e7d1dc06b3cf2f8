// `npm run bench -- clip [--images N]`: CLIP stage throughput — preprocess alone, inference alone, end to end, and
// the ratio end-to-end / inference-alone (target ≥ 0.85) — for the generated test model, a model with ViT-B/32's
// compute cost, and the real model in CLIP_MODEL_DIR when one is installed.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { classifyInputs } from '../../pipeline/clip/classifyInputs.ts';
import { clipConfig, type ClipConfig } from '../../pipeline/clip/config.ts';
import { clipCropPath, readClipCrop } from '../../pipeline/clip/imageSource.ts';
import { buildManifest, VISION_FILE, writeManifest } from '../../pipeline/clip/modelDir.ts';
import { GraphBuilder } from '../../pipeline/clip/onnxBuild.ts';
import { createRng } from '../../pipeline/devkit/random.ts';
import { CLIP_PIXELS, toClipTensor } from '../../pipeline/clip/preprocess.ts';
import { closeClipRuntimes, openClipRuntime } from '../../pipeline/clip/runtime.ts';
import { clipModelStatus } from '../../pipeline/clip/status.ts';
import { writeTestClipModel } from '../../pipeline/devkit/clip/testModel.ts';
import type { ClipInput } from '../../lib/queries/clip.ts';
import { parseArgs } from '../../pipeline/cli/withDatabase.ts';
import { intFlag } from './lib/benchFlags.ts';

/** `npm run bench -- clip --help` prints these; any other flag is refused (test/bench/index.ts). */
export const usage = 'CLIP stage throughput: preprocess, inference, end to end';
export const flags: Record<string, string> = {
  images: 'N images (256)',
};

/** A vision encoder with ViT-B/32's arithmetic (~4.4 GFLOP/image: 49 patches × 12 blocks of 768↔3072 MLPs). */
function vitCostModel(): Uint8Array {
  const g = new GraphBuilder();
  const rand = createRng(5).next;
  const w = (n: number, scale: number) => Float32Array.from({ length: n }, () => (rand() * 2 - 1) * scale);
  const x = g.input('pixel_values', 'float', ['batch_size', 3, 224, 224]);
  const patches = g.op('Conv', [x, g.floats(w(768 * 3 * 32 * 32, 0.01), [768, 3, 32, 32])], {
    strides: [32, 32],
  });
  let h = g.op('Transpose', [g.op('Reshape', [patches, g.ints([0, 768, 49])])], { perm: [0, 2, 1] });
  const up = g.floats(w(768 * 3072, 0.02), [768, 3072]);
  const down = g.floats(w(3072 * 768, 0.02), [3072, 768]);
  for (let layer = 0; layer < 12; layer++)
    h = g.op('Add', [h, g.op('MatMul', [g.op('Relu', [g.op('MatMul', [h, up])]), down])]);
  const pooled = g.op('ReduceMean', [h], { axes: [1], keepdims: 0 });
  g.op('MatMul', [pooled, g.floats(w(768 * 512, 0.05), [768, 512])], {}, 'image_embeds');
  g.output('image_embeds', ['batch_size', 512]);
  return g.build('vit_b32_cost');
}

async function writeCrops(dataDir: string, count: number): Promise<ClipInput[]> {
  const inputs: ClipInput[] = [];
  for (let i = 0; i < count; i++) {
    const rgb = Buffer.alloc(224 * 224 * 3);
    for (let p = 0; p < rgb.length; p++)
      rgb[p] = (Math.sin(p * 0.001 + i) * 90 + 128 + ((p * 7919 + i) % 23)) & 255;
    const webp = await sharp(rgb, { raw: { width: 224, height: 224, channels: 3 } })
      .webp({ quality: 90 })
      .toBuffer();
    const hash = crypto.createHash('sha256').update(webp).digest('hex');
    fs.mkdirSync(path.dirname(clipCropPath(dataDir, hash)), { recursive: true });
    fs.writeFileSync(clipCropPath(dataDir, hash), webp);
    inputs.push({ id: `p${i}`, contentHash: hash, embedding: null });
  }
  return inputs;
}

async function measure(label: string, config: ClipConfig, inputs: ClipInput[]): Promise<void> {
  const runtime = await openClipRuntime(config);
  const per = 3 * CLIP_PIXELS;
  const rate = (n: number, ms: number) => (n / ms) * 1000;
  // Preprocess alone: decode the stored crops and build the tensors, batch by batch as the stage does.
  let t = performance.now();
  const tensor = new Float32Array(config.batchSize * per);
  for (let i = 0; i < inputs.length; i += config.batchSize) {
    const crops = await Promise.all(
      inputs.slice(i, i + config.batchSize).map((x) => readClipCrop(config.dataDir, x.contentHash)),
    );
    crops.forEach((c, k) => {
      if (c.ok) toClipTensor(c.rgb, 1, tensor, k);
    });
  }
  const pre = rate(inputs.length, performance.now() - t);
  // Inference alone: the same number of images from one prepared batch.
  await runtime.encoders.encodeImages(tensor, config.batchSize);
  t = performance.now();
  for (let i = 0; i < inputs.length; i += config.batchSize)
    await runtime.encoders.encodeImages(tensor, Math.min(config.batchSize, inputs.length - i));
  const inf = rate(inputs.length, performance.now() - t);
  // End to end: decode overlapped with inference, scoring and float16 packing (no database).
  t = performance.now();
  let n = 0;
  for await (const out of classifyInputs(runtime, config.dataDir, inputs, config.batchSize)) n += out.done;
  const e2e = rate(n, performance.now() - t);
  console.log(
    `${label}: preprocess ${pre.toFixed(0)} img/s · inference ${inf.toFixed(1)} img/s · end to end ${e2e.toFixed(1)} img/s · end-to-end/inference ${(e2e / inf).toFixed(2)} (target ≥ 0.85)`,
  );
}

export async function run(args: string[]): Promise<void> {
  const count = intFlag(parseArgs(args).flags, 'images', 256, { min: 1 });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'quarry-bench-clip-'));
  try {
    const base = clipConfig();
    const dataDir = path.join(tmp, 'data');
    const inputs = await writeCrops(dataDir, count);
    const testDir = path.join(tmp, 'test-model');
    await writeTestClipModel(testDir);
    console.log(
      `${count} stored crops, batch ${base.batchSize}, threads ${base.threads || 'auto'}, ${base.executionProvider}`,
    );
    await measure(
      'generated test model (trivial compute: preprocessing dominates by design)',
      { ...base, modelDir: testDir, dataDir },
      inputs,
    );
    const costDir = path.join(tmp, 'vit-cost');
    await writeTestClipModel(costDir);
    fs.writeFileSync(path.join(costDir, VISION_FILE), vitCostModel());
    writeManifest(costDir, await buildManifest(costDir, 'vit-b32-cost'));
    await measure(
      'ViT-B/32-cost model',
      { ...base, modelDir: costDir, dataDir },
      inputs.slice(0, Math.min(count, 128)),
    );
    const real = await clipModelStatus(base);
    if (real.installed)
      await measure(
        `installed model ${real.name}`,
        { ...base, dataDir },
        inputs.slice(0, Math.min(count, 128)),
      );
    else
      console.log(
        `no model in ${base.modelDir}: install ViT-B/32 there for its figures (pipeline/clip/README.md)`,
      );
  } finally {
    await closeClipRuntimes();
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}
