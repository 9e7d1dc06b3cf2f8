// Runs a CLIP model's ONNX image and text encoders with onnxruntime-node and returns L2-normalised embeddings.
import * as ort from 'onnxruntime-node';
import type { ModelInfo } from './modelDir.ts';
import { CLIP_PIXELS } from './preprocess.ts';
import { loadTokenizer, type ClipTokenizer } from './tokenizer.ts';

export type RuntimeOptions = { threads: number; executionProvider: 'cpu' | 'cuda' };

export function sessionOptions(opts: RuntimeOptions): ort.InferenceSession.SessionOptions {
  return {
    // CUDA falls back to CPU for the few operators it lacks.
    executionProviders: opts.executionProvider === 'cuda' ? ['cuda', 'cpu'] : ['cpu'],
    ...(opts.threads > 0 ? { intraOpNumThreads: opts.threads } : {}),
    interOpNumThreads: 1,
    graphOptimizationLevel: 'all',
  };
}

export function tensorMeta(session: ort.InferenceSession, name: string, kind: 'input' | 'output') {
  const list = kind === 'input' ? session.inputMetadata : session.outputMetadata;
  const meta = list.find((m) => m.name === name);
  return meta && meta.isTensor ? meta : undefined;
}

/** Scales each row of a [rows, dim] matrix to unit length, in place. */
export function normaliseRows(m: Float32Array, dim: number): Float32Array {
  for (let r = 0; r < m.length / dim; r++) {
    let s = 0;
    for (let i = r * dim; i < (r + 1) * dim; i++) s += m[i] * m[i];
    const inv = s > 0 ? 1 / Math.sqrt(s) : 0;
    for (let i = r * dim; i < (r + 1) * dim; i++) m[i] *= inv;
  }
  return m;
}

export class ClipEncoders {
  private constructor(
    readonly model: ModelInfo,
    private readonly vision: ort.InferenceSession,
    private readonly text: ort.InferenceSession,
    readonly tokenizer: ClipTokenizer,
    readonly dim: number,
  ) {}

  static async open(model: ModelInfo, opts: RuntimeOptions): Promise<ClipEncoders> {
    const options = sessionOptions(opts);
    const vision = await ort.InferenceSession.create(model.visionPath, options);
    const text = await ort.InferenceSession.create(model.textPath, options);
    const out = tensorMeta(vision, 'image_embeds', 'output');
    const dim = out && typeof out.shape[1] === 'number' ? out.shape[1] : 512;
    return new ClipEncoders(model, vision, text, loadTokenizer(model.dir), dim);
  }

  /** A model exported with a fixed batch size gets fed chunks of exactly that size. */
  private fixedBatch(session: ort.InferenceSession, input: string): number | null {
    const first = tensorMeta(session, input, 'input')?.shape[0];
    return typeof first === 'number' ? first : null;
  }

  /** Embeds `count` preprocessed images (NCHW float32, as toClipTensor builds) into unit vectors. */
  async encodeImages(pixels: Float32Array, count: number): Promise<Float32Array> {
    const per = 3 * CLIP_PIXELS;
    const chunk = this.fixedBatch(this.vision, 'pixel_values') ?? count;
    const out = new Float32Array(count * this.dim);
    for (let start = 0; start < count; start += chunk) {
      const n = Math.min(chunk, count - start);
      let data = pixels.subarray(start * per, (start + n) * per);
      if (n < chunk) {
        const padded = new Float32Array(chunk * per);
        padded.set(data);
        data = padded;
      }
      const feeds = { pixel_values: new ort.Tensor('float32', data, [chunk, 3, 224, 224]) };
      const result = await this.vision.run(feeds);
      out.set((result.image_embeds.data as Float32Array).subarray(0, n * this.dim), start * this.dim);
      for (const t of Object.values(result)) t.dispose();
    }
    return normaliseRows(out, this.dim);
  }

  /** Embeds prompts into unit vectors, padding to the model's fixed sequence length when it has one. */
  async encodeTexts(texts: string[]): Promise<Float32Array> {
    const shape = tensorMeta(this.text, 'input_ids', 'input')?.shape ?? [];
    const fixedLength = typeof shape[1] === 'number' ? shape[1] : undefined;
    const chunk = this.fixedBatch(this.text, 'input_ids') ?? Math.min(texts.length, 64);
    const out = new Float32Array(texts.length * this.dim);
    for (let start = 0; start < texts.length; start += chunk) {
      const part = texts.slice(start, start + chunk);
      while (part.length < chunk) part.push('');
      const { ids, mask, length } = this.tokenizer.encodeBatch(part, fixedLength);
      const feeds: Record<string, ort.Tensor> = { input_ids: new ort.Tensor('int64', ids, [chunk, length]) };
      if (this.text.inputNames.includes('attention_mask')) {
        feeds.attention_mask = new ort.Tensor('int64', mask, [chunk, length]);
      }
      const result = await this.text.run(feeds);
      const n = Math.min(chunk, texts.length - start);
      out.set((result.text_embeds.data as Float32Array).subarray(0, n * this.dim), start * this.dim);
      for (const t of Object.values(result)) t.dispose();
    }
    return normaliseRows(out, this.dim);
  }

  async close(): Promise<void> {
    await this.vision.release();
    await this.text.release();
  }
}
