// Validates a CLIP model directory: files, encoder input/output names and shapes, tokenizer, and a smoke inference.
import * as ort from 'onnxruntime-node';
import { ClipEncoders, sessionOptions, tensorMeta, type RuntimeOptions } from './encoders.ts';
import { buildManifest, modelFiles, TEXT_FILE, VISION_FILE, type Manifest } from './modelDir.ts';
import { CLIP_CROP_BYTES, CLIP_SIZE, toClipTensor } from './preprocess.ts';
import { loadTokenizer } from './tokenizer.ts';

export type ModelCheckReport = { ok: boolean; problems: string[]; notes: string[]; manifest?: Manifest };

const fmt = (shape: readonly (number | string)[]) => `[${shape.join(', ')}]`;

/** Checks one named tensor's presence, element type and fixed dimensions (strings are symbolic, so any size). */
function checkTensor(
  session: ort.InferenceSession,
  file: string,
  kind: 'input' | 'output',
  name: string,
  type: string,
  expected: (number | null)[],
): string[] {
  const meta = tensorMeta(session, name, kind);
  const names = kind === 'input' ? session.inputNames : session.outputNames;
  if (!meta) return [`${file}: no ${kind} named "${name}" (${kind}s: ${names.join(', ') || 'none'})`];
  const problems: string[] = [];
  if (meta.type !== type) problems.push(`${file}: ${kind} "${name}" is ${meta.type}, expected ${type}`);
  const shape = meta.shape;
  const wrongRank = shape.length !== expected.length;
  const wrongDim = expected.some((d, i) => d !== null && typeof shape[i] === 'number' && shape[i] !== d);
  if (wrongRank || wrongDim) {
    const want = fmt(expected.map((d) => d ?? 'N'));
    problems.push(`${file}: ${kind} "${name}" has shape ${fmt(shape)}, expected ${want}`);
  }
  return problems;
}

export async function checkModelDir(
  dir: string,
  runtime: RuntimeOptions = { threads: 0, executionProvider: 'cpu' },
): Promise<ModelCheckReport> {
  const { missing } = modelFiles(dir);
  if (missing.length) return { ok: false, problems: missing.map((f) => `${dir}: missing ${f}`), notes: [] };
  const problems: string[] = [];
  const notes: string[] = [];
  const open = async (file: string) => {
    try {
      return await ort.InferenceSession.create(`${dir}/${file}`, sessionOptions(runtime));
    } catch (err) {
      problems.push(`${file}: onnxruntime cannot load it: ${(err as Error).message.split('\n')[0]}`);
      return null;
    }
  };
  const vision = await open(VISION_FILE);
  const text = await open(TEXT_FILE);
  if (vision) {
    problems.push(
      ...checkTensor(vision, VISION_FILE, 'input', 'pixel_values', 'float32', [
        null,
        3,
        CLIP_SIZE,
        CLIP_SIZE,
      ]),
    );
    problems.push(...checkTensor(vision, VISION_FILE, 'output', 'image_embeds', 'float32', [null, null]));
  }
  if (text) {
    problems.push(...checkTensor(text, TEXT_FILE, 'input', 'input_ids', 'int64', [null, null]));
    if (text.inputNames.includes('attention_mask')) {
      problems.push(...checkTensor(text, TEXT_FILE, 'input', 'attention_mask', 'int64', [null, null]));
    }
    const extra = text.inputNames.filter((n) => n !== 'input_ids' && n !== 'attention_mask');
    if (extra.length) problems.push(`${TEXT_FILE}: unexpected inputs ${extra.join(', ')}`);
    problems.push(...checkTensor(text, TEXT_FILE, 'output', 'text_embeds', 'float32', [null, null]));
  }
  if (vision && text) {
    const v = tensorMeta(vision, 'image_embeds', 'output')?.shape[1];
    const t = tensorMeta(text, 'text_embeds', 'output')?.shape[1];
    if (typeof v === 'number' && typeof t === 'number' && v !== t)
      problems.push(`embedding sizes differ: image ${v}, text ${t}`);
  }
  await vision?.release();
  await text?.release();
  try {
    const tok = loadTokenizer(dir);
    const ids = tok.encode('a photo of a cat');
    notes.push(`tokenizer: ${tok.vocabSize} tokens; "a photo of a cat" → ${ids.join(' ')}`);
  } catch (err) {
    problems.push(`tokenizer: ${(err as Error).message}`);
  }
  if (problems.length) return { ok: false, problems, notes };

  const manifest = await buildManifest(dir);
  try {
    const encoders = await ClipEncoders.open(
      {
        dir,
        name: manifest.name,
        hash: manifest.hash,
        logitScale: manifest.logitScale ?? 100,
        nearDuplicates: manifest.nearDuplicates ?? true,
        visionPath: `${dir}/${VISION_FILE}`,
        textPath: `${dir}/${TEXT_FILE}`,
      },
      runtime,
    );
    const grey = toClipTensor(Buffer.alloc(CLIP_CROP_BYTES * 2, 128), 2);
    const images = await encoders.encodeImages(grey, 2);
    const texts = await encoders.encodeTexts(['a photo', 'an illustration']);
    await encoders.close();
    const finite = [...images, ...texts].every(Number.isFinite);
    if (!finite) problems.push('smoke inference produced non-finite values');
    else notes.push(`smoke inference: 2 images and 2 prompts → ${encoders.dim}-dim embeddings`);
  } catch (err) {
    problems.push(`smoke inference failed: ${(err as Error).message.split('\n')[0]}`);
  }
  return { ok: problems.length === 0, problems, notes, manifest };
}
