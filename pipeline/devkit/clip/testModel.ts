// Generates a small deterministic CLIP-like model directory: flat-colour images embed near the non-photo prompts,
// textured ones near the photo prompts, and (a test-only convention) saturated magenta near the non-wholesome ones.
import fs from 'node:fs';
import path from 'node:path';
import { trainBpe } from './bpeTrain.ts';
import { DEFAULT_PROMPTS_FILE } from '../../clip/config.ts';
import { buildManifest, TEXT_FILE, VISION_FILE, writeManifest } from '../../clip/modelDir.ts';
import { GraphBuilder } from '../../clip/onnxBuild.ts';
import { createRng } from '../random.ts';
import { CLIP_MEAN, CLIP_STD } from '../../clip/preprocess.ts';
import { classPrompts, loadPrompts, type Prompts } from '../../clip/prompts.ts';
import { preTokenize } from '../../clip/tokenizer.ts';

export const TEST_MODEL_NAME = 'quarry-test-clip';
export const TEST_DIM = 512;
/** Dimensions [0, SEMANTIC_DIM) carry meaning (text and classes); the rest carry an image's layout, for near-duplicates. */
const SEMANTIC_DIM = 256;
/** Layout features: the image average-pooled to 8×8 per channel. */
const POOL = 8;
const IDENTITY_WEIGHT = 0.16;
/** CLIP's trained value; the stored manifest carries it like a real model's would. */
export const TEST_LOGIT_SCALE = 100;
/** Where the drawn-vs-photo statistic z is neutral. */
const Z_MID = 0.12;

const GROUPS = {
  nonphoto:
    'illustration digital vector art painting oil watercolor drawing pencil sketch line cartoon comic anime screenshot computer screen website 3 d render generated diagram chart graph text document scanned page meme map logo clipart',
  photo: 'photo photograph photography snapshot taken camera landscape nature portrait',
  unsafe:
    'nudity naked sexual content pornography suggestive pose lingerie violence fighting gore blood injuries weapons gun drugs drug use',
  safe: 'ordinary everyday scene wholesome family friendly buildings objects wearing clothes group people',
} as const;
type Group = keyof typeof GROUPS;
const GROUP_ORDER: Group[] = ['nonphoto', 'photo', 'unsafe', 'safe'];

/** Orthonormal deterministic directions: one per group, then one per word. */
function directions(count: number, seed: number): Float32Array[] {
  const rand = createRng(seed).next;
  const out: Float32Array[] = [];
  while (out.length < count) {
    const v = Float32Array.from({ length: TEST_DIM }, (_, i) => (i < SEMANTIC_DIM ? rand() * 2 - 1 : 0));
    for (const u of out.slice(0, GROUP_ORDER.length)) {
      let d = 0;
      for (let i = 0; i < TEST_DIM; i++) d += v[i] * u[i];
      for (let i = 0; i < TEST_DIM; i++) v[i] -= d * u[i];
    }
    let n = 0;
    for (let i = 0; i < TEST_DIM; i++) n += v[i] * v[i];
    for (let i = 0; i < TEST_DIM; i++) v[i] /= Math.sqrt(n);
    out.push(v);
  }
  return out;
}

function wordGroup(token: string): Group | null {
  const word = token.replace('</w>', '');
  for (const g of GROUP_ORDER) if (GROUPS[g].split(' ').includes(word)) return g;
  return null;
}

function allPreTokens(prompts: Prompts): string[] {
  const texts = Object.values(prompts).flatMap((set) =>
    set.classes.flatMap((c) => classPrompts(set, c.name)),
  );
  const lexicon = Object.values(GROUPS).join(' ');
  return [...texts, lexicon, 'a an the of with and or in on'].flatMap(preTokenize);
}

/** Text encoder: sum of per-token vectors (special tokens and padding are zero rows). */
function textModel(vocab: Record<string, number>, axes: Float32Array[]): Uint8Array {
  const tokens = Object.keys(vocab);
  const words = directions(tokens.length, 7);
  const table = new Float32Array(tokens.length * TEST_DIM);
  tokens.forEach((token, id) => {
    if (token.startsWith('<|')) return;
    const group = wordGroup(token);
    for (let i = 0; i < SEMANTIC_DIM; i++) {
      // Group direction dominates; the word's own small component keeps classes apart.
      table[id * TEST_DIM + i] =
        (group ? axes[GROUP_ORDER.indexOf(group)][i] : 0) + (group ? 0.3 : 0.05) * words[id][i];
    }
  });
  const g = new GraphBuilder();
  const ids = g.input('input_ids', 'int64', ['batch_size', 'sequence_length']);
  const gathered = g.op('Gather', [g.floats(table, [tokens.length, TEST_DIM]), ids], { axis: 0 });
  g.op('ReduceSum', [gathered, g.ints([1])], { keepdims: 0 }, 'text_embeds');
  g.output('text_embeds', ['batch_size', TEST_DIM]);
  return g.build('quarry_test_text');
}

/**
 * Vision encoder. Pixel statistics stand in for CLIP's judgement: drawn images have large exactly-flat areas
 * (3×3 blocks without any change) and hard edges; photos have grain (small non-zero steps) everywhere.
 * z = flat-block share + 10 × hard-edge share − grain share separates the two by a wide margin; the embedding
 * is (z − Z_MID) toward the non-photo direction and the rest toward the photo one.
 */
function visionModel(axes: Float32Array[], size: number): Uint8Array {
  const g = new GraphBuilder();
  const x = g.input('pixel_values', 'float', ['batch_size', 3, size, size]);
  // Steps in grey levels, converted per channel to normalised units.
  const levels = (l: number) =>
    g.floats(
      CLIP_STD.map((s) => l / 255 / s),
      [1, 3, 1, 1],
    );
  const [still, grainMax, edge] = [levels(0.5), levels(4.5), levels(24)];
  const shift = (axis: number, from: number, to: number) =>
    g.op('Slice', [x, g.ints([from]), g.ints([to]), g.ints([axis])]);
  const dh = g.op('Abs', [g.op('Sub', [shift(3, 1, size), shift(3, 0, size - 1)])]);
  const dv = g.op('Abs', [g.op('Sub', [shift(2, 1, size), shift(2, 0, size - 1)])]);
  const share = (boolean: string) =>
    g.op('ReduceMean', [g.op('Cast', [boolean], { to: 1 })], { axes: [1, 2, 3], keepdims: 0 });
  const half = g.floats([0.5], []);
  const both = (f: (d: string) => string) => g.op('Mul', [g.op('Add', [f(dh), f(dv)]), half]);
  const edges = both((d) => share(g.op('Greater', [d, edge])));
  const grain = both((d) => share(g.op('And', [g.op('Greater', [d, still]), g.op('Less', [d, grainMax])])));
  // A pixel "moves" when any channel steps right or down; a block is flat when none of its 3×3 pixels moves.
  const square = (d: string, axis: number) =>
    g.op('Slice', [d, g.ints([0]), g.ints([size - 1]), g.ints([axis])]);
  const moves = g.op('Max', [
    g.op('Cast', [g.op('Greater', [square(dh, 2), still])], { to: 1 }),
    g.op('Cast', [g.op('Greater', [square(dv, 3), still])], { to: 1 }),
  ]);
  const anyChannel = g.op('ReduceMax', [moves], { axes: [1], keepdims: 1 });
  const blockMoves = g.op('MaxPool', [anyChannel], { kernel_shape: [3, 3], strides: [1, 1] });
  const flatBlocks = g.op('Sub', [
    g.floats([1], []),
    g.op('ReduceMean', [blockMoves], { axes: [1, 2, 3], keepdims: 0 }),
  ]);
  const z = g.op('Sub', [g.op('Add', [flatBlocks, g.op('Mul', [edges, g.floats([10], [])])]), grain]);
  const drawn = g.op('Sub', [z, g.floats([Z_MID], [])]);
  // R - 2G + B in normalised units is ~7.6 for pure magenta and below 4 for anything less saturated.
  const norm = (c: number, v: number) => (v - CLIP_MEAN[c]) / CLIP_STD[c];
  const pureMagenta = norm(0, 1) - 2 * norm(1, 0) + norm(2, 1);
  const mix = g.op('Conv', [x, g.floats([1, -2, 1], [1, 3, 1, 1])]);
  const over = g.op('Relu', [g.op('Sub', [mix, g.floats([pureMagenta - 1.5], [])])]);
  const magenta = g.op('Mul', [
    g.op('ReduceMean', [over], { axes: [1, 2, 3], keepdims: 0 }),
    g.floats([1 / 1.5], []),
  ]);
  const col = (t: string) => g.op('Unsqueeze', [t, g.ints([1])]);
  const one = g.op('Add', [g.op('Mul', [z, g.floats([0], [])]), g.floats([1], [])]);
  const photo = g.op('Sub', [one, drawn]);
  const features = g.op('Concat', [col(drawn), col(photo), col(magenta), col(one)], { axis: 1 });
  const weights = new Float32Array(4 * TEST_DIM);
  const rows: [Group, number][] = [
    ['nonphoto', 1],
    ['photo', 1],
    ['unsafe', 4],
    ['safe', 0.6],
  ];
  rows.forEach(([group, scale], r) => {
    for (let i = 0; i < TEST_DIM; i++)
      weights[r * TEST_DIM + i] = scale * axes[GROUP_ORDER.indexOf(group)][i];
  });
  const semantic = g.op('MatMul', [features, g.floats(weights, [4, TEST_DIM])]);
  // Layout: 8×8 average colours minus their mean, randomly projected into the identity dimensions, so
  // re-encodes and resizes of one image stay close while different images point different ways.
  const cell = Math.floor(size / POOL);
  const pooled = g.op('AveragePool', [x], { kernel_shape: [cell, cell], strides: [cell, cell] });
  const flatPooled = g.op('Reshape', [pooled, g.ints([0, 3 * POOL * POOL])]);
  const centred = g.op(
    'LpNormalization',
    [g.op('Sub', [flatPooled, g.op('ReduceMean', [flatPooled], { axes: [1], keepdims: 1 })])],
    { axis: 1, p: 2 },
  );
  const rand = createRng(99).next;
  const projection = new Float32Array(3 * POOL * POOL * TEST_DIM);
  for (let r = 0; r < 3 * POOL * POOL; r++) {
    for (let i = SEMANTIC_DIM; i < TEST_DIM; i++)
      projection[r * TEST_DIM + i] = IDENTITY_WEIGHT * (rand() * 2 - 1);
  }
  const identity = g.op('MatMul', [centred, g.floats(projection, [3 * POOL * POOL, TEST_DIM])]);
  g.op('Add', [semantic, identity], {}, 'image_embeds');
  g.output('image_embeds', ['batch_size', TEST_DIM]);
  return g.build('quarry_test_vision');
}

export type TestModelOptions = {
  promptsFile?: string;
  /** Declares another input size: a broken model for `models check` tests. */
  imageSize?: number;
};

/** Writes the test model in the same layout as the real export, plus its manifest. */
export async function writeTestClipModel(dir: string, opts: TestModelOptions = {}): Promise<void> {
  const prompts = [loadPrompts(DEFAULT_PROMPTS_FILE)];
  if (opts.promptsFile) prompts.push(loadPrompts(opts.promptsFile));
  const bpe = trainBpe(prompts.flatMap(allPreTokens));
  const axes = directions(GROUP_ORDER.length, 1);
  fs.mkdirSync(path.join(dir, 'onnx'), { recursive: true });
  fs.writeFileSync(path.join(dir, VISION_FILE), visionModel(axes, opts.imageSize ?? 224));
  fs.writeFileSync(path.join(dir, TEXT_FILE), textModel(bpe.vocab, axes));
  fs.writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(bpe.vocab));
  fs.writeFileSync(
    path.join(dir, 'merges.txt'),
    ['#version: 0.2', ...bpe.merges.map((m) => m.join(' '))].join('\n') + '\n',
  );
  fs.writeFileSync(
    path.join(dir, 'config.json'),
    JSON.stringify(
      {
        _name_or_path: TEST_MODEL_NAME,
        projection_dim: TEST_DIM,
        logit_scale_init_value: Math.log(TEST_LOGIT_SCALE),
      },
      null,
      2,
    ),
  );
  const manifest = await buildManifest(dir, TEST_MODEL_NAME);
  // Its embeddings encode colour and texture statistics only: any two screenshots of one layout come out
  // near-identical (cosine ≥ 0.998), so they must not merge photos into duplicate clusters.
  writeManifest(dir, { ...manifest, logitScale: TEST_LOGIT_SCALE, nearDuplicates: false });
}
